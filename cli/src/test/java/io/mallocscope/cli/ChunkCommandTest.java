package io.mallocscope.cli;

import io.mallocscope.cli.testing.RecordedFirstFit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code mallocscope chunk SOURCE ADDR}: one chunk's life in first-fit's recording (glibc 2.36's transitions). */
class ChunkCommandTest {
    @TempDir
    static Path dir;
    static String file;

    @BeforeAll
    static void record() throws IOException {
        file = dir.resolve("first-fit.timeline").toString();
        RecordedFirstFit.record(Path.of(file));
    }

    @Test
    void aChunkIsCutFromTopHandedOutWrittenFreedSortedTakenAndSplit() {
        CliRun.Result r = run("chunk", file, "0x5555555592a0", "--color=never");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("""
                chunk 0x555555559290 in the timeline of first-fit: 3 steps
                #1 malloc(0x512) = 0x5555555592a0   FirstFit.java:33
                    became the top chunk (0x20d70) when 0x555555559000 was split off
                    created: cut from the top chunk (0x520)
                    handed out: malloc(0x512) = 0x5555555592a0
                #3 free(0x5555555592a0)   FirstFit.java:44
                    freed into unsortedbin
                #4 malloc(0x1fa) = 0x5555555592a0   FirstFit.java:49
                    moved from unsortedbin to largebins[0x500-0x530]
                    taken off largebins[0x500-0x530] [binmap scan]
                    split: 0x210 used, the remainder 0x5555555594a0 (0x310) cut off
                    handed out: malloc(0x1fa) = 0x5555555592a0
                """);
        // the chunk address names the same chunk as the pointer malloc returned
        assertThat(run("chunk", file, "0x555555559290", "--color=never").out()).isEqualTo(r.out());
    }

    /**
     * A free merges the chunk into the top, and the next malloc cuts it from there again: the chunk's
     * second life starts from the top too (glibc 2.36's transitions of malloc(0x500), free, malloc(0x500)).
     */
    @Test
    void aChunkFreedIntoTheTopIsCutFromTheTopAgain(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("top.timeline");
        long heap = 0x555555559000L;
        long a = heap + 0x290;
        long rest = a + 0x510;
        io.mallocscope.runtime.timeline.TimelineWriter w = io.mallocscope.runtime.timeline.TimelineWriter.open(f,
                io.mallocscope.runtime.timeline.TimelineHeader.of(java.util.Map.of(
                        io.mallocscope.runtime.timeline.TimelineHeader.GLIBC, "2.36",
                        io.mallocscope.runtime.timeline.TimelineHeader.PROGRAM, "top",
                        io.mallocscope.runtime.timeline.TimelineHeader.HEAP_START, "0x555555559000",
                        io.mallocscope.runtime.timeline.TimelineHeader.RECORD, "calls+transitions")), 60_000, m -> {
                    throw new AssertionError(m);
                });
        int malloc = io.mallocscope.runtime.timeline.Functions.MALLOC;
        int free = io.mallocscope.runtime.timeline.Functions.FREE;
        w.call(malloc, 0, 0x500, 0, 0, 0, 0, 0);
        w.topExtend(0, 0, heap, 0x21000);
        w.split(heap, 0x290, a, 0x20d70);
        w.split(a, 0x510, rest, 0x20860);
        w.ret(malloc, a + 0x10);
        w.call(free, 0, a + 0x10, 0, 0, 0, 0, 0);
        w.coalesce(a, 0x510, rest, 0x20860, a, 0x20d70);
        w.ret(free, 0);
        w.call(malloc, 0, 0x500, 0, 0, 0, 0, 0);
        w.split(a, 0x510, rest, 0x20860);
        w.ret(malloc, a + 0x10);
        w.close();
        CliRun.Result r = run("chunk", f.toString(), "0x5555555592a0", "--color=never");
        assertThat(r.err()).as("recorded without writes: said, then told").contains("recorded without writes");
        assertThat(r.out()).contains("""
                #2 free(0x5555555592a0)
                    given back: free(0x5555555592a0)
                    merged with the top chunk 0x5555555597a0 (0x20860): it is the top chunk now (0x20d70)
                #3 malloc(0x500) = 0x5555555592a0
                    created: cut from the top chunk (0x510)
                    handed out: malloc(0x500) = 0x5555555592a0
                """);
        CliRun.Result story = run("timeline", f.toString(), "--color=never");
        assertThat(story.out()).contains("""
                #2 free(0x5555555592a0)
                    top: took in 0x555555559290 (#1) (0x510), top now 0x555555559290 size 0x20d70
                #3 malloc(0x500) = 0x5555555592a0
                    top: split 0x510 off, top now 0x5555555597a0 size 0x20860
                """);
    }

    @Test
    void aRemainderIsBornInTheSplit() {
        CliRun.Result b = run("chunk", file, "0x5555555594a0", "--color=never");
        assertThat(b.out()).isEqualTo("""
                chunk 0x5555555594a0 in the timeline of first-fit: 1 step
                #4 malloc(0x1fa) = 0x5555555592a0   FirstFit.java:49
                    created as the remainder (0x310) of splitting 0x555555559290
                    put in unsortedbin [split]
                """);
    }

    @Test
    void anAddressNoCallTouchedIsStatusOneAndABadOneStatusTwo() {
        CliRun.Result none = run("chunk", file, "0x1234");
        assertThat(none.status()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("mallocscope: no call of the timeline of first-fit touched a chunk at 0x1234 "
                + "(give the chunk's address or the pointer malloc returned)\n");
        assertThat(none.out()).isEmpty();
        CliRun.Result nullPointer = run("chunk", file, "0x0");
        assertThat(nullPointer.status()).as("NULL names no chunk, though free's result is 0").isEqualTo(1);
        assertThat(nullPointer.err()).isEqualTo("mallocscope: no call of the timeline of first-fit touched a chunk at 0x0 "
                + "(give the chunk's address or the pointer malloc returned)\n");
        CliRun.Result bad = run("chunk", file, "zz");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("mallocscope: ADDR: 'zz' is not a hex address\n");
        CliRun.Result missing = run("chunk", dir.resolve("nope.timeline").toString(), "0x10");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).hasLineCount(1).contains("nope.timeline");
    }
}
