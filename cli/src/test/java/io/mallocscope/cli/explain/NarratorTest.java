package io.mallocscope.cli.explain;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The program's writes named by field and chunk, on timelines recorded in-process from a real glibc 2.36
 * process: each call is made on the process and written as the agent writes it (calls, results, the
 * program's writes; the narrator reads the rest off the replayed memory).
 */
class NarratorTest {
    static final long HEAP = 0x555555559000L;

    @TempDir
    Path dir;

    /** Mirrors calls and writes of a real process into a timeline. */
    static final class Rec implements AutoCloseable {
        final CProcess p = CProcess.create(ProcessOptions.defaults().withProgramName("narrated")
                .withStdout(OutputStream.nullOutputStream()).withStderr(OutputStream.nullOutputStream()));
        final LibC c = p.libc();
        final TimelineWriter w;

        Rec(Path file) throws IOException {
            w = TimelineWriter.open(file, TimelineHeader.of(Map.of(TimelineHeader.GLIBC, "2.36",
                    TimelineHeader.PROGRAM, "narrated", TimelineHeader.HEAP_START, "0x" + Long.toHexString(HEAP))),
                    60_000, msg -> {
                        throw new AssertionError(msg);
                    });
        }

        long malloc(long n) {
            w.call(Functions.MALLOC, 0, n, 0, 0, 0, 0, 0);
            long m = c.malloc(n);
            w.ret(Functions.MALLOC, m);
            return m;
        }

        void free(long m) {
            w.call(Functions.FREE, 0, m, 0, 0, 0, 0, 0);
            c.free(m);
            w.ret(Functions.FREE, 0);
        }

        void putLong(long a, long v) {
            p.memory().write64(a, v);
            w.writeValue(a, v, 8);
        }

        void putByte(long a, int v) {
            p.memory().write8(a, v);
            w.writeValue(a, v, 1);
        }

        @Override
        public void close() {
            w.close();
        }
    }

    private List<List<String>> narrate(Path file, Narrator.Writes writes) throws IOException {
        Timeline t = Timeline.read(file);
        Narrator n = new Narrator(t, writes);
        List<List<String>> steps = new java.util.ArrayList<>();
        for (int s = 1; s <= t.steps(); s++) {
            steps.add(n.linesFor(s));
        }
        return steps;
    }

    @Test
    void writesIntoAFreeChunksLinksAreNamedByFieldAndChunk() throws IOException {
        Path f = dir.resolve("links.timeline");
        long p1;
        try (Rec r = new Rec(f)) {
            p1 = r.malloc(0x428);
            r.malloc(0x18);
            r.free(p1);                         // step 3: p1's 0x430 chunk in the unsorted bin
            r.putLong(p1 + 8, 0x7fffffffe3a0L); // bk
            r.putLong(p1 + 32, 0x1234);         // user data beyond fd/bk of an unsorted chunk
        }
        List<List<String>> s = narrate(f, Narrator.Writes.metadata);
        assertThat(s.get(0)).isEmpty();
        assertThat(s.get(2)).containsExactly(
                "program wrote 0x7fffffffe3a0 into #1's bk (0x5555555592a8): was 0x7ffff7faacc0");
        assertThat(narrate(f, Narrator.Writes.all).get(2)).containsExactly(
                "program wrote 0x7fffffffe3a0 into #1's bk (0x5555555592a8): was 0x7ffff7faacc0",
                "program wrote 8 bytes to 0x5555555592c0 (heap)");
        assertThat(narrate(f, Narrator.Writes.none).get(2)).isEmpty();
    }

    @Test
    void anOverflowIntoTheNextSizeSpellsOutTheFlagBitsAndUserDataStaysQuiet() throws IOException {
        Path f = dir.resolve("size.timeline");
        try (Rec r = new Rec(f)) {
            long a = r.malloc(0x18);
            long b = r.malloc(0x18);
            r.putLong(a, 0x41);          // a's own data
            r.putLong(a + 0x10, 0x20);   // b's prev_size, but a is in use: a's data
            r.putByte(b - 8, 0x20);      // off-by-one into b's size: PREV_INUSE cleared
        }
        List<List<String>> s = narrate(f, Narrator.Writes.metadata);
        assertThat(s.get(1)).containsExactly(
                "program wrote 0x20 into #2's prev_size (0x5555555592b0): was 0x0",
                "program wrote 0x20 into #2's size (0x5555555592b8), 1 byte of it: size 0x20, no flag bits "
                        + "(PREV_INUSE clear: the chunk before counts as free) (was 0x21)");
        assertThat(Narrator.sizeWord(0x427)).isEqualTo("size 0x420 | PREV_INUSE | IS_MMAPPED | NON_MAIN_ARENA");
    }

    @Test
    void aTcacheNextIsDecodedAndAnOverwrittenKeyNoted() throws IOException {
        Path f = dir.resolve("tcache.timeline");
        long a;
        try (Rec r = new Rec(f)) {
            a = r.malloc(0x18);
            r.free(a);
            r.putLong(a, ((a) >>> 12) ^ 0x7fffffffe350L); // poisoned next, safe-linked by hand
            r.putLong(a + 8, 0);                           // the key
        }
        List<String> s = narrate(f, Narrator.Writes.metadata).get(1);
        assertThat(s).hasSize(2);
        assertThat(s.get(0)).isEqualTo("program wrote " + hex((a >>> 12) ^ 0x7fffffffe350L) + " into #1's tcache next ("
                + hex(a) + "): decodes to 0x7fffffffe350 (was 0x0)");
        assertThat(s.get(1)).startsWith("program wrote 0x0 into #1's tcache key (" + hex(a + 8)
                + "): the key tcache's double-free check looks for (0x");
    }

    @Test
    void writesIntoTheTcacheStructAndMallocsGlobalsAreNamed() throws IOException {
        Path f = dir.resolve("globals.timeline");
        try (Rec r = new Rec(f)) {
            r.malloc(0x18);
            long tcache = HEAP + 0x10;
            r.putLong(tcache, 0x1);          // counts[0..3]
            r.putLong(tcache + 0x80 + 8, 0x4141); // entries[1]
            long mp = r.p.malloc().view().mainArena(); // main_arena.top lives at +0x60 in 2.36
            r.putLong(mp + 0x60, 0x7fffffffe000L);
        }
        assertThat(narrate(f, Narrator.Writes.metadata).get(0)).containsExactly(
                "program wrote 0x1 into tcache counts[0..3] (chunks 0x20..0x50) (0x555555559010): was 0x0",
                "program wrote 0x4141 into tcache entries[1] (0x30 chunks) (0x555555559098): was 0x0",
                "program wrote 0x7fffffffe000 into main_arena.top (0x7ffff7faacc0): was 0x5555555592b0");
    }

    @Test
    void writesBeforeTheFirstCallAreToldAsStepZero() throws IOException {
        Path f = dir.resolve("early.timeline");
        long mainArena;
        try (Rec r = new Rec(f)) {
            mainArena = r.p.malloc().view().mainArena();
            r.putLong(mainArena + 0x60, 0x7fffffffe000L); // main_arena.top, before malloc ever ran
            r.putLong(0x7fffffffe000L, 0x41);             // the stack: not malloc's
            r.malloc(0x18);
        }
        Timeline t = Timeline.read(f);
        assertThat(new Narrator(t, Narrator.Writes.metadata).linesFor(0)).containsExactly(
                "program wrote 0x7fffffffe000 into main_arena.top (" + hex(mainArena + 0x60) + "): was 0x0");
        assertThat(new Narrator(t, Narrator.Writes.all).linesFor(0)).containsExactly(
                "program wrote 0x7fffffffe000 into main_arena.top (" + hex(mainArena + 0x60) + "): was 0x0",
                "program wrote 8 bytes to 0x7fffffffe000 (stack)");
        assertThat(new Narrator(t, Narrator.Writes.none).linesFor(0)).isEmpty();
        // and the text timeline tells them under #0, before the first call
        java.io.StringWriter text = new java.io.StringWriter();
        var source = io.mallocscope.cli.source.Sources.open(f, new io.mallocscope.cli.source.Sources.ReplaySettings("2.36", ""));
        new io.mallocscope.cli.render.TimelineTextRenderer(new Narrator(t, Narrator.Writes.metadata)::linesFor)
                .render(source.ops(), op -> true, new java.io.PrintWriter(text, true), io.mallocscope.cli.render.Style.PLAIN);
        assertThat(text.toString()).startsWith("#0 before the first call\n"
                + "    program wrote 0x7fffffffe000 into main_arena.top (" + hex(mainArena + 0x60) + "): was 0x0\n"
                + "#1 malloc(0x18) = ");
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    @Test
    void aFailureBeforeTheStepWhereTheReplayFailedIsNotBlamedOnIt() {
        assertThat(Narrator.explainedByReplay(2, 1)).as("told before the replay failed: the telling's bug").isFalse();
        assertThat(Narrator.explainedByReplay(2, 2)).isTrue();
        assertThat(Narrator.explainedByReplay(2, 5)).isTrue();
        assertThat(Narrator.explainedByReplay(0, 0)).as("a replay that differs from the start").isTrue();
        assertThat(Narrator.explainedByReplay(-1, 3)).as("no problem").isFalse();
    }
}
