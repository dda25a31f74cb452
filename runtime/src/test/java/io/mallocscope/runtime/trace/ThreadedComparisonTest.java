package io.mallocscope.runtime.trace;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** compare of a trace with thread lines: each version's column is what real glibc printed for it. */
class ThreadedComparisonTest {
    private static final Path TRACES = Path.of("src/test/resources/traces-threads");
    private static final Path GOLDEN = Path.of("src/test/resources/golden-threads");
    private static final List<String> VERSIONS = List.of("2.31", "2.36", "2.41", "2.43");

    @TestFactory
    Stream<DynamicTest> eachColumnIsTheRealLibrarysOutput() throws IOException {
        List<Path> traces;
        try (Stream<Path> s = Files.list(TRACES)) {
            traces = s.filter(p -> p.toString().endsWith(".rep")).sorted().toList();
        }
        return traces.stream().map(t -> DynamicTest.dynamicTest(t.getFileName().toString(), () -> {
            String name = t.getFileName().toString().replaceFirst("\\.rep$", "");
            ThreadedTrace tt = ThreadedTrace.parse(name, Files.readString(t, StandardCharsets.UTF_8));
            TraceComparison.Result r = TraceComparison.compare(tt, VERSIONS, null);
            for (int v = 0; v < VERSIONS.size(); v++) {
                List<String> golden = Files.readAllLines(GOLDEN.resolve(VERSIONS.get(v)).resolve(name + ".out"));
                List<String> got = new ArrayList<>();
                for (TraceComparison.Row row : r.rows()) {
                    TraceComparison.Outcome o = row.outcomes().get(v);
                    if (row.number() == 0) {
                        got.add("brk " + o.text());
                        continue;
                    }
                    String[] op = row.op().split(" "); // "1:", letter, ID or value…
                    switch (op[1]) {
                        case "a", "c", "r", "m" -> got.add(op[0] + " " + op[1] + " " + op[2] + " " + o.text());
                        case "t", "o", "s" -> got.add(op[0] + " " + op[1] + " " + o.text());
                        default -> assertThat(o.text()).as("%s %s", VERSIONS.get(v), row.op()).isEqualTo("ok");
                    }
                }
                assertThat(got).as("glibc %s", VERSIONS.get(v)).isEqualTo(golden.subList(0, golden.size() - 2));
            }
        }));
    }

    @Test
    void aDoubleFreeInAThreadStopsEveryVersionsColumnThere() {
        ThreadedTrace tt = ThreadedTrace.parse("df", "a 0 24\nT 1\na 1 24\nf 1\nf 1\na 2 24\n");
        TraceComparison.Result r = TraceComparison.compare(tt, List.of("2.27", "2.36"), null);
        assertThat(r.row(1).op()).isEqualTo("1: a 1 24");
        assertThat(r.row(1).outcomes().get(1).text()).isEqualTo("A1+0xb70 0x25");
        assertThat(r.row(3).outcomes().get(1).text()).isEqualTo("abort: free(): double free detected in tcache 2");
        assertThat(r.row(4).outcomes().get(1).kind()).isEqualTo(TraceComparison.Kind.NOT_RUN);
    }
}
