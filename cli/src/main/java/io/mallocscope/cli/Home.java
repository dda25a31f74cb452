package io.mallocscope.cli;

import io.mallocscope.runtime.CProcess;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * Where the mallocscope checkout and its jars are: system property {@code mallocscope.home} (the
 * {@code ./mallocscope} launcher sets it), else three levels above the running cli jar or classes
 * ({@code ROOT/cli/target/mallocscope-cli.jar}).
 */
final class Home {
    private Home() {
    }

    static Path root() {
        String prop = System.getProperty("mallocscope.home");
        if (prop != null && !prop.isEmpty()) {
            return Path.of(prop).toAbsolutePath();
        }
        Path self = codeLocation(Home.class);
        // ROOT/cli/target/mallocscope-cli.jar or ROOT/cli/target/classes
        return self.getParent().getParent().getParent();
    }

    static Path samplesJar() {
        return root().resolve("sample-programs/target/mallocscope-samples.jar");
    }

    /** The agent jar, if it is built and really is an agent (has a Premain-Class). */
    static Optional<Path> agentJar() {
        Path jar = root().resolve("agent/target/mallocscope-agent.jar");
        if (!Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        try (JarFile jf = new JarFile(jar.toFile())) {
            var mf = jf.getManifest();
            return mf != null && mf.getMainAttributes().getValue("Premain-Class") != null ? Optional.of(jar)
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The jar or class directory holding the runtime classes (and, in the shaded jar, the cli). */
    static Path runtimeClasses() {
        return codeLocation(CProcess.class);
    }

    /** The jar or class directory holding the C front end (in the shaded cli jar, the cli jar itself). */
    static Path cfrontClasses() {
        return codeLocation(io.mallocscope.c.CFront.class);
    }

    static Path cliClasses() {
        return codeLocation(Home.class);
    }

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private static Path codeLocation(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
