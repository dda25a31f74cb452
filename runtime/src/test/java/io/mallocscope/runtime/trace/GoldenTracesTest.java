package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every trace under src/test/resources/traces with a golden output recorded from a real glibc
 * (src/test/resources/golden/VERSION/NAME.out, one directory per version: 2.31, 2.36, 2.41, 2.43)
 * must replay, with that version's profile, to exactly that output.
 */
class GoldenTracesTest {
    static final Path TRACES = Paths.get("src/test/resources/traces");
    static final Path GOLDEN = Paths.get("src/test/resources/golden");

    @TestFactory
    Stream<DynamicContainer> goldenTraces() throws IOException {
        List<DynamicContainer> versions = new ArrayList<>();
        if (!Files.isDirectory(GOLDEN)) {
            return Stream.empty();
        }
        try (Stream<Path> dirs = Files.list(GOLDEN)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                String version = dir.getFileName().toString();
                versions.add(DynamicContainer.dynamicContainer("glibc " + version, testsFor(dir, version)));
            }
        }
        assertThat(versions).extracting(DynamicContainer::getDisplayName)
                .contains("glibc 2.31", "glibc 2.36", "glibc 2.41", "glibc 2.43");
        return versions.stream();
    }

    private static List<DynamicTest> testsFor(Path dir, String version) throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path golden : s.sorted().toList()) {
                String name = golden.getFileName().toString();
                if (!name.endsWith(".out")) {
                    continue;
                }
                Path trace = TRACES.resolve(name.substring(0, name.length() - 4) + ".rep");
                if (!Files.exists(trace)) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(version + "/" + name, () -> {
                    String expected = Files.readString(golden, StandardCharsets.UTF_8);
                    assertThat(replay(trace, version)).isEqualTo(expected);
                }));
            }
        }
        return tests;
    }

    static String replay(Path trace) throws IOException {
        return replay(trace, "2.36");
    }

    static String replay(Path trace, String version) throws IOException {
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OffsetsReplay.run(Trace.read(trace), ProcessOptions.defaults().withGlibc(version).withStderr(err), out);
        return out.toString();
    }
}
