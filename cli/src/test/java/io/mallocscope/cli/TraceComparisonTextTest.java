package io.mallocscope.cli;

import io.mallocscope.cli.testing.RuntimeTraces;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceComparison;
import io.mallocscope.runtime.trace.TraceComparison.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The text of {@code mallocscope compare TRACE}: the runtime's comparison, rendered. */
class TraceComparisonTextTest {
    static final Trace DOUBLE_FREE = Trace.parse("double-free", "a 0 24\nf 0\nf 0\na 1 24\na 2 24\n");

    @Test
    void theTableMarksDivergentRows() {
        Result r = TraceComparison.compare(DOUBLE_FREE, List.of("2.27", "2.36"), null);
        assertThat(TraceComparisonText.render(r, false)).isEqualTo("""
                trace double-free
                   #  op             2.27          2.36
                !  1  a 0 24         H+0x260 0x21  H+0x2a0 0x21
                   2  f 0            ok            ok
                !  3  f 0            ok            abort: free(): double free detected in tcache 2
                !  4  a 1 24         H+0x260 0x21  —
                !  5  a 2 24         H+0x260 0x21  —
                !     break at exit  H+0x21000     —
                5 rows differ; first: 2.27 and 2.36 diverge at op #1 (a 0 24): H+0x260 vs H+0x2a0
                """);
    }

    @Test
    void agreeingVersionsSaySo() {
        Trace t = Trace.parse("small", "a 0 100\na 1 200\nf 0\na 2 100\nt 0\n");
        Result r = TraceComparison.compare(t, List.of("2.31", "2.36", "2.41"), null);
        assertThat(TraceComparisonText.render(r, false)).endsWith("no divergence: 2.31, 2.36, 2.41 agree on all 5 ops\n");
    }

    @Test
    void onlyTheDivergentRowsOfARecordedTrace() throws Exception {
        Trace t = Trace.read(RuntimeTraces.trace("mallopt-params"));
        Result r = TraceComparison.compare(t, List.of("2.31", "2.36"), null);
        String onlyDivergent = TraceComparisonText.render(r, true);
        assertThat(onlyDivergent).contains("!  12  o -3 50000000").doesNotContain("o 1 0");
        assertThat(onlyDivergent.lines().count()).isEqualTo(2 + r.divergentRows() + 1);
    }
}
