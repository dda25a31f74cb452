package io.mallocscope.cli;

import io.mallocscope.cli.testing.Approved;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.mallocscope.cli.CliRun.run;
import static io.mallocscope.cli.CliRun.trace;
import static org.assertj.core.api.Assertions.assertThat;

class ReplayCommandTest {

    /** The golden .out files of the runtime were printed by the C harness with the real glibc 2.36. */
    @ParameterizedTest
    @ValueSource(strings = {"worked-brief-example", "unsorted-exact-fit", "fastbin-lifo", "largebin-sorted-nextsize",
            "mmap-threshold-tunable", "coalesce-backward-forward-top"})
    void offsetsAreWhatRealGlibcPrinted(String name) throws IOException {
        CliRun.Result r = run("replay", trace(name));
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo(Files.readString(CliRun.GOLDEN.resolve(name + ".out")));
    }

    @Test
    void textTellsWhatEachCallChanged() {
        CliRun.Result r = run("replay", "--format", "text", trace("worked-brief-example"));
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("#3 free(0x5555555592a0)\n    ← 0x555555559290 (0x20) in use → in tcachebins\n"
                + "    tcachebins[0x20]: +0x555555559290  (0 → 1)\n");
        Approved.verify("replay-text-worked-brief-example", r.out());
    }

    /** Issue #17: a trace that gives the heap back below its first chunk dies as the C harness does (139). */
    @ParameterizedTest
    @ValueSource(strings = {"offsets", "text"})
    void shrinkingTheHeapBelowItsChunksIsASegfaultLikeTheHarness(String format, @TempDir Path dir) throws IOException {
        Path t = dir.resolve("shrink.rep");
        Files.writeString(t, "a 0 100\ns -135168\nf 0\n"); // the whole first 0x21000 back: the tcache is unmapped
        CliRun.Result r = run("replay", "--format", format, t.toString());
        assertThat(r.status()).isEqualTo(139);
        assertThat(r.out() + r.err()).contains("Segmentation fault").doesNotContain("internal error")
                .doesNotContain("\tat ");
    }

    @Test
    void aLineThatDoesNotParseNamesFileAndLineAndExitsOne(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.rep");
        Files.writeString(bad, "a 0 24\nf 0\nx 1 2\n");
        CliRun.Result r = run("replay", bad.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("mallocscope: " + bad + ":3: ");
        assertThat(r.err()).doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    /** A trace with T lines prints each op's thread, as the threaded C harness printed on real glibc 2.36. */
    @Test
    void threadedTracesPrintTheThreadedFormat(@TempDir Path dir) throws IOException {
        Path t = dir.resolve("threads.rep");
        Files.writeString(t, "# GLIBC_TUNABLES=glibc.malloc.arena_max=8\na 0 24\nT 1\na 1 24\nT 0\nf 1\na 2 24\nX 1\n");
        CliRun.Result r = run("replay", "--format", "offsets", t.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("0: a 0 H+0x2a0 0x21\n1: a 1 A1+0xb70 0x25\n0: a 2 A1+0xb70 0x25\nbrk H+0x21000\n")
                .endsWith("\narenas 1\n");
        Files.writeString(t, "T 1\nX 0\n");
        CliRun.Result bad = run("replay", t.toString());
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("mallocscope: " + t + ":2: bad thread number (1..255) '0'\n");
    }

    @Test
    void aMissingTraceIsAUsageError() {
        CliRun.Result r = run("replay", "nope.rep");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: nope.rep: no such file\n");
    }

    @Test
    void anUnknownGlibcIsAUsageError() {
        CliRun.Result r = run("replay", "--glibc", "1.0", trace("fastbin-lifo"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("mallocscope: ").contains("1.0");
    }

    /** A bad option and a bad trace: every form of replay names the option (status 2) before reading the trace. */
    @Test
    void optionErrorsComeBeforeTheTracesInEveryForm(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.rep");
        Files.writeString(bad, "a 0 24\nx 1 2\n");
        String offsets = run("replay", bad.toString(), "--glibc", "9.99").err();
        for (String[] args : List.of(new String[] {"replay", bad.toString(), "--glibc", "9.99"},
                new String[] {"replay", bad.toString(), "--glibc", "9.99", "--format", "text"},
                new String[] {"replay", bad.toString(), "--glibc", "9.99", "--stats"})) {
            CliRun.Result r = run(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).isEqualTo(offsets).contains("9.99").doesNotContain("bad.rep:2");
            assertThat(r.out()).isEmpty();
        }
    }

    /** mmap off, then a block grown through brk past the simulated memory: killed as Linux's OOM killer kills. */
    @Test
    void aTraceThatOutgrowsTheMemoryIsKilledWith137(@TempDir Path dir) throws IOException {
        StringBuilder t = new StringBuilder("o -4 0\na 0 100\n");
        for (int i = 1; i <= 64; i++) {
            t.append("r 0 ").append(i << 20).append("\nc ").append(i).append(" 65536\n");
        }
        Path hog = dir.resolve("hog.rep");
        Files.writeString(hog, t);
        String old = System.getProperty("mallocscope.memory");
        System.setProperty("mallocscope.memory", "8m");
        try {
            CliRun.Result r = run("replay", hog.toString());
            assertThat(r.status()).isEqualTo(137);
            assertThat(r.out()).startsWith("o 1\na 0 H+0x2a0 0x71\n");
            assertThat(r.err()).matches("Out of memory: Killed process \\(replay\\) total-vm:\\d+kB, anon-rss:8192kB "
                    + "\\(the simulated machine's 8 MiB of physical memory are used up\\)\nKilled\n");
        } finally {
            if (old == null) {
                System.clearProperty("mallocscope.memory");
            } else {
                System.setProperty("mallocscope.memory", old);
            }
        }
    }
}
