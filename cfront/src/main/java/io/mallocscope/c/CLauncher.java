package io.mallocscope.c;

import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.KernelLayout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The main class {@code mallocscope run FILE.c} starts in the child JVM (under the recording agent):
 * compiles the file, printing gcc-style diagnostics and exiting 1 on a mistake (or on a construct it
 * refuses while laying the program out, before it starts), then runs it in a
 * process set up from the environment ({@code mallocscope.glibc}, {@code mallocscope.tunables},
 * {@code mallocscope.stdout.tty}) with the kernel layout of {@code mallocscope.kernel}
 * ({@code detect}, the default: this machine's; or {@code classic}, {@code vvar-vclock}).
 * {@code --sample NAME} runs a sample's C twin shipped with the project.
 */
public final class CLauncher {
    private CLauncher() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: CLauncher FILE.c [ARGS...] | --sample NAME [ARGS...]");
            System.exit(2);
        }
        CFront.Compiled program;
        String[] rest;
        try {
            if (args[0].equals("--sample")) {
                String name = args.length > 1 ? args[1] : "";
                program = compileSample(name);
                if (program == null) {
                    System.err.println("mallocscope: no C twin for sample '" + name + "'");
                    System.exit(2);
                }
                rest = Arrays.copyOfRange(args, 2, args.length);
            } else {
                program = CFront.compile(Path.of(args[0]));
                rest = Arrays.copyOfRange(args, 1, args.length);
            }
        } catch (NoSuchFileException e) {
            System.err.println("mallocscope: " + args[0] + ": No such file");
            System.exit(1);
            return;
        } catch (IOException e) {
            System.err.println("mallocscope: " + args[0] + ": " + e.getMessage());
            System.exit(1);
            return;
        } catch (CompileError e) {
            refuse(e);
            return;
        }
        ProcessOptions options;
        try {
            options = ProcessOptions.fromEnvironment().withKernelLayout(kernel(System.getProperty("mallocscope.kernel", "detect")));
        } catch (IllegalArgumentException e) {
            System.err.println("mallocscope: " + e.getMessage());
            System.exit(2);
            return;
        }
        ExitStatus status;
        try {
            status = program.runUnlessRefused(options, rest);
        } catch (CompileError e) { // found laying the program out in its process: it has not started either
            refuse(e);
            return;
        }
        System.out.flush();
        System.err.flush();
        System.exit(status.code());
    }

    /** A program refused before it started: gcc's diagnostic, status 1. */
    private static void refuse(CompileError e) {
        System.err.print(e.diagnostic());
        // the diagnostic is the whole message: the recording agent, if any, need not add that nothing ran,
        // nor leave a timeline of the process made for it
        System.setProperty("mallocscope.refused", "true");
        System.exit(1);
    }

    static KernelLayout kernel(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("detect") || n.isEmpty()) {
            return KernelLayout.detect();
        }
        try {
            return KernelLayout.named(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown kernel layout '" + name + "' (detect, classic, vvar-vclock)");
        }
    }

    /**
     * Where the C twins are: the front end's own (samples/, with comments for readers) first, then the
     * ones sample-programs checks against real glibc (twins/, with their local headers).
     */
    private static final String[] TWIN_DIRS = {"/io/mallocscope/c/samples/", "/io/mallocscope/c/twins/"};

    /** The C twin of sample {@code name} (e.g. "first-fit"), or null. */
    public static String sampleSource(String name) {
        java.net.URL url = sampleUrl(name);
        if (url == null) {
            return null;
        }
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static java.net.URL sampleUrl(String name) {
        if (!name.matches("[a-z0-9-]+")) {
            return null;
        }
        for (String dir : TWIN_DIRS) {
            java.net.URL url = CLauncher.class.getResource(dir + name + ".c");
            if (url != null) {
                return url;
            }
        }
        return null;
    }

    /**
     * The C twin of sample {@code name}, compiled as {@code NAME.c} with its directory (in the build or
     * in the jar) for its {@code #include "local.h"}; null when there is none.
     */
    static CFront.Compiled compileSample(String name) throws IOException {
        java.net.URL url = sampleUrl(name);
        if (url == null) {
            return null;
        }
        String text = sampleSource(name);
        Path dir = null;
        try {
            java.net.URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                try {
                    java.nio.file.FileSystems.newFileSystem(uri, java.util.Map.of());
                } catch (java.nio.file.FileSystemAlreadyExistsException e) {
                    // opened by an earlier call
                }
            }
            dir = Path.of(uri).getParent();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            dir = null; // no local headers then: a twin that includes one says which is missing
        }
        return CFront.compile(new SourceFile(name + ".c", text, dir));
    }
}
