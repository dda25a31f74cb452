package io.mallocscope.c;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles a C file with gcc -O0 and runs it as a user would with ASLR off: {@code env -i setarch
 * -R ./prog} from the file's directory, so that the stack (empty environment, argv[0] "./prog")
 * is where the simulated process puts it.
 */
final class NativeRun {
    record Result(int status, String stdout, String stderr) {
    }

    private NativeRun() {
    }

    /** Why native runs cannot be made here, or null when gcc and setarch are usable. */
    static String unavailable() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "command -v gcc && command -v setarch && setarch -R true").start();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "gcc or setarch -R is not available";
            }
            return null;
        } catch (IOException e) {
            return "cannot start a shell: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** {@code includeDir}: where the file's own "local.h" headers are (its directory). */
    static Result compileAndRun(Path dir, String name, String source, Path includeDir) throws IOException, InterruptedException {
        return compileAndRun(dir, name, source, includeDir, null);
    }

    /** {@code input}: a file for the program's stdin, or null for an empty one. */
    static Result compileAndRun(Path dir, String name, String source, Path includeDir, Path input)
            throws IOException, InterruptedException {
        compile(dir, name, source, includeDir);
        return run(dir, name, List.of("env", "-i", "setarch", "-R", "./" + name),
                input != null ? input.toFile() : new java.io.File("/dev/null"));
    }

    private static void compile(Path dir, String name, String source, Path includeDir)
            throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".c"), source);
        Process cc = new ProcessBuilder("gcc", "-O0", "-w", "-iquote", includeDir.toAbsolutePath().toString(), "-o", name,
                name + ".c").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (cc.waitFor() != 0) {
            throw new IllegalStateException("gcc failed on " + name + ".c:\n" + ccOut);
        }
    }

    /**
     * The program compiled as {@link #compileAndRun} does, run with its stdin a pipe: {@code cat INPUT |
     * env -i setarch -R ./NAME} (one write of at most 4096 bytes reaches the program whole).
     */
    static Result compileAndRunPiped(Path dir, String name, String source, Path includeDir, Path input)
            throws IOException, InterruptedException {
        compile(dir, name, source, includeDir);
        return run(dir, name, List.of("sh", "-c", "cat \"$0\" | env -i setarch -R ./" + name, input.toAbsolutePath().toString()),
                new java.io.File("/dev/null"));
    }

    private static Result run(Path dir, String name, List<String> command, java.io.File input)
            throws IOException, InterruptedException {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(input)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1));
    }
}
