package io.mallocscope.cli;

import io.mallocscope.cli.testing.RuntimeTraces;
import io.mallocscope.runtime.glibc.NativeHarness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replay --stats} of a trace with thread lines prints, at the trace's end, what the real library's
 * mallinfo2 and malloc_stats print: the mallinfo line of golden-threads/VERSION (real 2.31, 2.36, 2.41,
 * 2.43), and malloc_stats' text (every arena) byte for byte as the threaded harness
 * ({@code replay.c --malloc-stats}) prints it on that glibc, where it can be had here.
 */
class ThreadedStatsMatchGlibcTest {
    static final List<String> VERSIONS = List.of("2.36", "2.31", "2.41", "2.43");
    static final String AT_THE_END = "at the end (glibc's mallinfo2, summed over every arena, and malloc_stats):\n";

    private static List<Path> traces() throws IOException {
        try (Stream<Path> s = Files.list(RuntimeTraces.threadedTraces())) {
            return s.filter(p -> p.toString().endsWith(".rep")).sorted().toList();
        }
    }

    private static String name(Path t) {
        return t.getFileName().toString().replaceFirst("\\.rep$", "");
    }

    /** The lines of {@code --stats} after the heading, without the time: mallinfo, then malloc_stats' text. */
    static String atTheEnd(String stats) {
        int at = stats.indexOf(AT_THE_END);
        assertThat(at).as(stats).isPositive();
        String rest = stats.substring(at + AT_THE_END.length());
        return rest.substring(0, rest.indexOf("time               "));
    }

    /**
     * One {@code --stats} run per trace and version: its mallinfo line is the golden one; its malloc_stats
     * text is what the harness prints on that glibc, where the harness can be had (else that half is
     * skipped, said in the test's name of the assumption).
     */
    @TestFactory
    Stream<DynamicTest> atTheEndItPrintsWhatTheRealLibraryPrints() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String v : VERSIONS) {
            for (Path t : traces()) {
                tests.add(DynamicTest.dynamicTest(v + " " + name(t), () -> {
                    String golden = Files.readString(RuntimeTraces.goldenThreads(v).resolve(name(t) + ".out"),
                            StandardCharsets.UTF_8);
                    String mallinfo = golden.lines().filter(l -> l.startsWith("mallinfo ")).findFirst().orElseThrow();
                    CliRun.Result r = run("replay", t.toString(), "--stats", "--glibc", v);
                    assertThat(r.status()).as(r.err()).isZero();
                    String atTheEnd = atTheEnd(r.out());
                    assertThat(atTheEnd).startsWith(mallinfo + "\nArena 0:\n");
                    Optional<NativeHarness> h = NativeHarness.forVersion(v, true);
                    Assumptions.assumeTrue(h.isPresent(), NativeHarness.skipReason(v, true));
                    NativeHarness.Ended real = h.get().runWithMallocStats(t,
                            NativeHarness.threadTunablesOfText(Files.readString(t, StandardCharsets.UTF_8)).orElse(null));
                    assertThat(real.status()).as(real.err()).isZero();
                    assertThat(real.out()).as("the harness's own output is the golden one").isEqualTo(golden);
                    assertThat(atTheEnd).isEqualTo(mallinfo + "\n" + real.err());
                }));
            }
        }
        return tests.stream();
    }

    /** The heading names what the peak heap counts; a trace without threads keeps its lines. */
    @Test
    void thePeakHeapCountsTheOtherArenasHeaps() {
        CliRun.Result r = run("replay", RuntimeTraces.threadedTraces().resolve("cross-free.rep").toString(), "--stats");
        assertThat(r.status()).as(r.err()).isZero();
        // main's 0x21000 and arena 1's heap of 0x21000 (golden: mallinfo arena=270336, no mmapped chunk)
        assertThat(r.out()).startsWith("cross-free.rep: 60 calls\npeak live payload  0x1b4c (6988 bytes)\n"
                + "peak heap size     0x42000 (270336 bytes: brk extent + other arenas' heaps + mmapped)\n");
        CliRun.Result plain = run("replay", CliRun.trace("coalesce-backward-forward-top"), "--stats");
        assertThat(plain.out()).doesNotContain("at the end").doesNotContain("Arena 0");
    }
}
