package io.mallocscope.cli.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The runtime's test traces ({@code traces/*.rep}) and the real glibc's outputs for them
 * ({@code golden/VERSION/*.out}), read from the runtime's test-jar on the test classpath instead of
 * copies kept here. In a reactor build they are runtime's {@code target/test-classes}; from a jar they
 * are copied once into a temporary directory, since the commands under test take file names.
 */
public final class RuntimeTraces {
    /** A class of the runtime's test-jar, next to its traces/ and golden/. */
    private static final String MARKER_CLASS = "io.mallocscope.runtime.trace.GoldenTracesTest";
    private static Path root;

    private RuntimeTraces() {
    }

    /** The directory of the runtime's {@code .rep} traces. */
    public static Path traces() {
        return root().resolve("traces");
    }

    /** The directory of the harness outputs of glibc {@code version} ("2.36"), named like the traces. */
    public static Path golden(String version) {
        return root().resolve("golden").resolve(version);
    }

    /** The directory of the runtime's traces with thread lines ({@code T K}, {@code X K}). */
    public static Path threadedTraces() {
        return root().resolve("traces-threads");
    }

    /** The threaded harness's outputs of glibc {@code version} for {@link #threadedTraces()}, named like them. */
    public static Path goldenThreads(String version) {
        return root().resolve("golden-threads").resolve(version);
    }

    /** Trace {@code name} (without ".rep"). */
    public static Path trace(String name) {
        return traces().resolve(name + ".rep");
    }

    private static synchronized Path root() {
        if (root == null) {
            // located through a class of the test-jar, not a resource name: a stale copy under this
            // module's own target/test-classes must not shadow the runtime's files
            URL location;
            try {
                location = Class.forName(MARKER_CLASS).getProtectionDomain().getCodeSource().getLocation();
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the runtime's test-jar (traces/, golden/) is not on the test classpath", e);
            }
            try {
                Path p = Path.of(location.toURI());
                root = Files.isDirectory(p) ? p : copyOut(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return root;
    }

    private static Path copyOut(Path jar) throws IOException {
        Path out = Files.createTempDirectory("mallocscope-runtime-traces");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> all = Files.walk(out)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind
            }
        }));
        try (FileSystem fs = FileSystems.newFileSystem(jar, Map.of())) {
            for (String dir : new String[] {"traces", "golden", "traces-threads", "golden-threads"}) {
                try (Stream<Path> files = Files.walk(fs.getPath("/" + dir))) {
                    for (Path p : files.filter(Files::isRegularFile).toList()) {
                        Path target = out.resolve(p.toString().substring(1));
                        Files.createDirectories(target.getParent());
                        try (InputStream in = Files.newInputStream(p)) {
                            Files.copy(in, target);
                        }
                    }
                }
            }
        }
        return out;
    }
}
