package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.ProcessOptions;
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
 * Every trace under src/test/resources/traces with a golden output from real glibc 2.36
 * (src/test/resources/golden/2.36/NAME.out) must replay to exactly that output.
 */
class GoldenTracesTest {
    static final Path TRACES = Paths.get("src/test/resources/traces");
    static final Path GOLDEN = Paths.get("src/test/resources/golden/2.36");

    @TestFactory
    Stream<DynamicTest> goldenTraces() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        if (!Files.isDirectory(GOLDEN)) {
            return Stream.empty();
        }
        try (Stream<Path> s = Files.list(GOLDEN)) {
            for (Path golden : s.sorted().toList()) {
                String name = golden.getFileName().toString();
                if (!name.endsWith(".out")) {
                    continue;
                }
                Path trace = TRACES.resolve(name.substring(0, name.length() - 4) + ".rep");
                if (!Files.exists(trace)) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    String expected = Files.readString(golden, StandardCharsets.UTF_8);
                    assertThat(replay(trace)).isEqualTo(expected);
                }));
            }
        }
        return tests.stream();
    }

    static String replay(Path trace) throws IOException {
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OffsetsReplay.run(Trace.read(trace), ProcessOptions.defaults().withStderr(err), out);
        return out.toString();
    }
}
