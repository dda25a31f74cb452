package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.trace.TraceComparison.Kind;
import io.mallocscope.runtime.trace.TraceComparison.Outcome;
import io.mallocscope.runtime.trace.TraceComparison.Result;
import io.mallocscope.runtime.trace.TraceComparison.Row;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceComparisonTest {
    /** Free one block twice, then ask for two blocks of its size. */
    static final Trace DOUBLE_FREE = Trace.parse("double-free", "a 0 24\nf 0\nf 0\na 1 24\na 2 24\n");

    static List<String> texts(Row row) {
        return row.outcomes().stream().map(Outcome::text).toList();
    }

    @Test
    void aTcacheDoubleFreeAcrossTheVersions() {
        Result r = TraceComparison.compare(DOUBLE_FREE, List.of("2.23", "2.27", "2.31", "2.36", "2.43"), null);
        assertThat(r.versions()).containsExactly("2.23", "2.27", "2.31", "2.36", "2.43");
        assertThat(r.rows()).hasSize(6); // five ops and the break at exit
        assertThat(texts(r.rows().get(0)))
                .containsExactly("H+0x10 0x21", "H+0x260 0x21", "H+0x2a0 0x21", "H+0x2a0 0x21", "H+0x10 0x21");
        assertThat(texts(r.rows().get(1))).containsOnly("ok");
        assertThat(r.rows().get(1).divergent()).isFalse();
        Row second = r.rows().get(2);
        assertThat(second.divergent()).isTrue();
        assertThat(texts(second)).containsExactly(
                "abort: double free or corruption (fasttop)", // 2.23: no tcache, the fastbin top check
                "ok", // 2.27: no key, nothing notices
                "abort: free(): double free detected in tcache 2",
                "abort: free(): double free detected in tcache 2",
                "abort: free(): double free detected in tcache 2");
        assertThat(second.outcomes().get(0).kind()).isEqualTo(Kind.ABORT);
        assertThat(second.outcomes().get(0).message()).isEqualTo("double free or corruption (fasttop)");
        // 2.27 hands the same chunk out twice; the aborted versions show no more results
        assertThat(texts(r.rows().get(3))).containsExactly("—", "H+0x260 0x21", "—", "—", "—");
        assertThat(texts(r.rows().get(4))).containsExactly("—", "H+0x260 0x21", "—", "—", "—");
        assertThat(r.rows().get(4).outcomes().get(2).kind()).isEqualTo(Kind.NOT_RUN);
        assertThat(r.rows().get(5).op()).isEqualTo("break at exit");
        assertThat(texts(r.rows().get(5))).containsExactly("—", "H+0x21000", "—", "—", "—");
        assertThat(r.firstDivergence().orElseThrow().summary()).isEqualTo(
                "versions diverge at op #1 (a 0 24): 2.23/2.43 H+0x10; 2.27 H+0x260; 2.31/2.36 H+0x2a0");
    }

    @Test
    void twoVersionsGiveATwoSidedSummary() {
        Result r = TraceComparison.compare(Trace.parse("one", "a 0 24\n"), List.of("2.36", "2.43"), "");
        assertThat(r.firstDivergence().orElseThrow().summary())
                .isEqualTo("2.36 and 2.43 diverge at op #1 (a 0 24): H+0x2a0 vs H+0x10");
        assertThat(r.divergentRows()).isEqualTo(1);
    }

    @Test
    void agreeingVersionsSaySo() {
        Trace t = Trace.parse("small", "a 0 100\na 1 200\nf 0\na 2 100\nt 0\n");
        Result r = TraceComparison.compare(t, List.of("2.31", "2.36", "2.41"), null);
        assertThat(r.firstDivergence()).isEmpty();
        assertThat(texts(r.rows().get(3))).containsOnly("H+0x2a0 0x71");
        assertThat(texts(r.rows().get(4))).containsOnly("1");
        assertThat(r.divergentRows()).isZero();
    }

    @Test
    void tunablesApplyToEveryVersionAndTheTracesOwnLineWins() {
        // 2.31 copies GLIBC_TUNABLES with sbrk: L = 16 + 27 = 43 moves its first block by 5
        Result r = TraceComparison.compare(Trace.parse("t", "a 0 24\n"), List.of("2.31", "2.36"),
                "glibc.malloc.tcache_count=7");
        assertThat(texts(r.rows().get(0))).containsExactly("H+0x2a5 0x21", "H+0x2a0 0x21");
        assertThat(r.tunables()).isEqualTo("glibc.malloc.tcache_count=7");
        Result own = TraceComparison.compare(Trace.parse("t", "# tunables: glibc.malloc.mxfast=0\na 0 24\n"),
                List.of("2.36"), "glibc.malloc.tcache_count=7");
        assertThat(own.tunables()).isEqualTo("glibc.malloc.mxfast=0");
    }

    @Test
    void mmappedBlocksAndNullsAreOutcomesToo() {
        Result r = TraceComparison.compare(Trace.parse("m", "a 0 200000\na 1 18446744073709551615\n"),
                List.of("2.41", "2.43"), null);
        assertThat(texts(r.rows().get(0))).containsExactly("M+0x10 0x31002", "M+0x10 0x30ff2");
        assertThat(r.rows().get(0).outcomes().get(1).sizeField()).isEqualTo(0x30ff2);
        assertThat(r.firstDivergence().orElseThrow().summary())
                .isEqualTo("2.41 and 2.43 diverge at op #1 (a 0 200000): M+0x10 0x31002 vs M+0x10 0x30ff2");
        assertThat(texts(r.rows().get(1))).containsOnly("NULL");
    }

    @Test
    void badVersionListsAreRejectedWithOneClearMessage() {
        Trace t = Trace.parse("t", "a 0 24\n");
        assertThatThrownBy(() -> TraceComparison.compare(t, List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("compare needs at least one glibc version");
        assertThatThrownBy(() -> TraceComparison.compare(t, List.of("2.36", "2.99"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown glibc version '2.99' (accepted: 2.23, 2.27, 2.31, 2.36, 2.41, 2.43)");
        assertThatThrownBy(() -> TraceComparison.compare(t, List.of("2.36", "glibc-2.36"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("glibc 2.36 is listed twice");
    }

    @Test
    void aRecordedTraceShowsTheRefusedMmapThresholdOf231() throws Exception {
        Trace t = Trace.read(GoldenTracesTest.TRACES.resolve("mallopt-params.rep"));
        Result r = TraceComparison.compare(t, List.of("2.31", "2.36"), null);
        assertThat(r.firstDivergence().orElseThrow().summary())
                .isEqualTo("2.31 and 2.36 diverge at op #12 (o -3 50000000): 0 vs 1");
        assertThat(texts(r.rows().get(12))).containsExactly("M+0x10 0x31002", "H+0x390 0x30d51");
        assertThat(r.divergent(11)).isTrue();
        assertThat(r.row(11).op()).isEqualTo("o -3 50000000");
    }

    @Test
    void longTracesAreComparedRowByRowOnDemand() throws Exception {
        Trace t = Trace.read(GoldenTracesTest.TRACES.resolve("mix-mixed.rep"));
        Result r = TraceComparison.compare(t, List.of("2.23", "2.27", "2.31", "2.36", "2.41", "2.43"), null);
        assertThat(r.rows()).hasSize(t.size() + 1);
        // 2.36's column is the harness output of glibc 2.36, line for line
        String golden = java.nio.file.Files.readString(GoldenTracesTest.GOLDEN.resolve("2.36/mix-mixed.out"));
        List<String> lines = golden.lines().filter(l -> !l.startsWith("brk") && !l.startsWith("mallinfo")).toList();
        int k = 0;
        for (int i = 0; i < t.size(); i++) {
            Outcome o = r.row(i).outcomes().get(3);
            if (o.kind() == Kind.DONE) {
                continue;
            }
            String line = lines.get(k++);
            assertThat(line).endsWith(" " + o.text());
        }
        assertThat(k).isEqualTo(lines.size());
        assertThat(r.row(t.size()).outcomes().get(3).text()).isEqualTo(golden.lines()
                .filter(l -> l.startsWith("brk ")).findFirst().orElseThrow().substring(4));
    }
}
