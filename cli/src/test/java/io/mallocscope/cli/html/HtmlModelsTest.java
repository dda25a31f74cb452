package io.mallocscope.cli.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.mallocscope.runtime.trace.TraceFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlModelsTest {
    @TempDir
    Path dir;

    private HtmlModel replay(String text, String tunables) throws IOException {
        Path rep = dir.resolve("t.rep");
        Files.writeString(rep, text);
        return HtmlModels.fromTrace(rep, "2.36", tunables);
    }

    @Test
    void tcacheReuseIsShownStepByStep() throws IOException {
        HtmlModel m = replay("a 0 24\nf 0\na 1 24\n", null);
        long heap = m.header().heapStart();
        assertThat(heap).isEqualTo(0x555555559000L);
        assertThat(m.title()).isEqualTo("t.rep");
        assertThat(m.steps()).extracting(HtmlModel.Step::number).containsExactly(0, 1, 2, 3);

        HtmlModel.Step start = m.steps().get(0);
        assertThat(start.chunks()).isEmpty();
        assertThat(start.bins()).isEmpty();

        HtmlModel.Step first = m.steps().get(1);
        assertThat(first.op()).isEqualTo("malloc(0x18) = 0x5555555592a0");
        assertThat(first.chunks()).containsExactly(
                new HtmlModel.ChunkBox(heap, 0x290, "in_use", "tcache struct"),
                new HtmlModel.ChunkBox(heap + 0x290, 0x20, "in_use", "#0"),
                new HtmlModel.ChunkBox(heap + 0x2b0, 0x20d50, "top", ""));
        assertThat(first.explanation()).contains("Block #0 is chunk 0x555555559290, size 0x20.");
        assertThat(first.brk()).isEqualTo(heap + 0x21000);

        HtmlModel.Step free = m.steps().get(2);
        assertThat(free.op()).isEqualTo("free(0x5555555592a0)");
        assertThat(free.chunks().get(1).state()).isEqualTo("tcache");
        assertThat(free.bins()).containsOnlyKeys("tcachebins[0x20]");
        assertThat(free.bins().get("tcachebins[0x20]")).containsExactly("0x555555559290");
        assertThat(free.explanation()).contains("Chunk 0x555555559290 entered tcachebins[0x20].");

        HtmlModel.Step again = m.steps().get(3);
        assertThat(again.op()).isEqualTo("malloc(0x18) = 0x5555555592a0");
        assertThat(again.bins()).isEmpty();
        assertThat(again.chunks().get(1)).isEqualTo(new HtmlModel.ChunkBox(heap + 0x290, 0x20, "in_use", "#1"));
        assertThat(again.explanation()).contains("Chunk 0x555555559290 left tcachebins[0x20].");
    }

    @Test
    void largeRequestsAreMmappedChunksAndTunablesApply() throws IOException {
        HtmlModel m = replay("a 0 24\na 1 200000\nf 1\n", null);
        HtmlModel.Step mm = m.steps().get(2);
        assertThat(mm.chunks()).filteredOn(c -> c.state().equals("mmapped")).singleElement()
                .satisfies(c -> {
                    assertThat(c.size()).isEqualTo(0x31000);
                    assertThat(c.label()).isEqualTo("#1");
                });
        assertThat(mm.explanation()).contains("The request was served by mmap.");
        assertThat(m.steps().get(3).chunks()).noneMatch(c -> c.state().equals("mmapped"));

        HtmlModel fast = replay("a 0 24\na 1 24\nf 0\n", "glibc.malloc.tcache_count=0");
        assertThat(fast.header().tunables()).isEqualTo("glibc.malloc.tcache_count=0");
        assertThat(fast.steps().get(3).bins()).containsOnlyKeys("fastbins[0x20]");
        assertThat(fast.steps().get(3).chunks().get(1).state()).isEqualTo("fastbin");
    }

    @Test
    void freeingIntoTheUnsortedBinAndSortingIsExplained() throws IOException {
        // tcache off: a freed 0x420 chunk goes to the unsorted bin; a larger request sorts it into a large bin
        HtmlModel m = replay("# tunables: glibc.malloc.tcache_count=0\na 0 1048\na 1 24\nf 0\na 2 2000\n", null);
        HtmlModel.Step free = m.steps().get(3);
        assertThat(free.bins()).containsOnlyKeys("unsortedbin");
        // tcache_count=0 still sets up the tcache struct, so the block is the second chunk
        assertThat(free.chunks().get(1)).isEqualTo(new HtmlModel.ChunkBox(0x555555559290L, 0x420, "unsorted", ""));
        HtmlModel.Step sort = m.steps().get(4);
        assertThat(sort.bins()).containsOnlyKeys("largebins[0x400-0x430]");
        assertThat(sort.explanation()).contains("Chunk 0x555555559290 left unsortedbin.",
                "Chunk 0x555555559290 entered largebins[0x400-0x430].");
    }

    @Test
    void mergesAndSplitsAreExplained() throws IOException {
        HtmlModel m = replay("a 0 1048\na 1 1048\na 2 24\nf 0\nf 1\na 3 100\nf 2\n", null);
        assertThat(m.steps().get(5).explanation()).contains(
                "Chunk 0x5555555596b0 (0x420) was merged into chunk 0x555555559290, now size 0x840.");
        assertThat(m.steps().get(5).chunks()).extracting(HtmlModel.ChunkBox::size, HtmlModel.ChunkBox::state)
                .containsExactly(tuple(0x290L, "in_use"), tuple(0x840L, "unsorted"), tuple(0x20L, "in_use"),
                        tuple(0x20510L, "top"));
        assertThat(m.steps().get(6).op()).isEqualTo("malloc(0x64) = 0x5555555592a0");
        assertThat(m.steps().get(6).explanation()).contains(
                "Chunk 0x555555559300 (0x7d0) was split off chunk 0x555555559290 (0x840).");
        // freeing the guard: tcache, so nothing merges; the top is unchanged
        assertThat(m.steps().get(7).explanation()).containsExactly("Block #2 (chunk 0x555555559ad0) is freed.",
                "Chunk 0x555555559ad0 entered tcachebins[0x20].");
    }

    @Test
    void aSignalEndsTheTimelineAtTheCallThatRaisedIt() throws IOException {
        // the program gives the whole heap back with sbrk behind malloc's back; the next malloc touches it
        HtmlModel m = replay("a 0 24\ns -135168\na 1 200\na 2 24\n", null);
        assertThat(m.steps()).hasSize(4);
        assertThat(m.steps().get(2).op()).isEqualTo("sbrk(-135168) = 0x55555557a000");
        assertThat(m.steps().get(2).brk()).isEqualTo(0x555555559000L);
        assertThat(m.steps().get(2).explanation()).containsExactly(
                "The program moved the break itself; malloc does not know about this memory.",
                "The heap can no longer be walked: part of it is unmapped or a chunk header is impossible.");
        HtmlModel.Step last = m.steps().get(3);
        assertThat(last.op()).isEqualTo("malloc(0xc8) -> Segmentation fault");
        assertThat(last.explanation()).singleElement().asString()
                .startsWith("The process got Segmentation fault: SIGSEGV: ").contains("(address not mapped)");
    }

    @Test
    void freeingAnIdTwiceIsFreeNullAsInTheReferenceHarness() throws IOException {
        HtmlModel m = replay("a 0 24\nf 0\nf 0\n", "glibc.malloc.tcache_count=0");
        assertThat(m.steps()).hasSize(4);
        assertThat(m.steps().get(3).bins()).isEqualTo(m.steps().get(2).bins());
        assertThat(m.steps().get(3).op()).isEqualTo("free(0x0)");
        assertThat(m.steps().get(3).explanation()).first().asString().contains("free(NULL)");
    }

    @Test
    void longTracesAreCutAndSaySo() throws IOException {
        Path rep = dir.resolve("long.rep");
        Files.writeString(rep, "a 0 24\nf 0\na 1 24\nf 1\na 2 24\n");
        HtmlModel m = HtmlModels.fromTrace(rep, "2.36", null, 3);
        assertThat(m.steps()).hasSize(4);
        assertThat(m.steps().get(3).op()).isEqualTo("malloc(0x18) = 0x5555555592a0");
        assertThat(m.steps().get(3).explanation()).last()
                .isEqualTo("The trace goes on for 2 more operations, not shown here (the page shows the first 3).");
        assertThat(HtmlModels.fromTrace(rep, "2.36", null).steps()).hasSize(6);
        assertThatThrownBy(() -> HtmlModels.fromTrace(rep, "2.36", null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxOperations must be at least 1, got 0");
    }

    @Test
    void malformedTraceNamesFileAndLine() {
        assertThatThrownBy(() -> replay("a 0 24\nq 1\n", null)).isInstanceOf(TraceFormatException.class)
                .hasMessageEndingWith(":2: unknown op 'q' (expected one of a f r c t m o s)");
    }

    @Test
    void aReplayedTraceRendersToAPage() throws IOException {
        HtmlModel m = replay("a 0 24\nf 0\n", null);
        String page = Fixtures.render(m);
        assertThat(HtmlRendererTest.dataOf(page)).contains("\"op\":\"free(0x5555555592a0)\"",
                "[\"tcachebins[0x20]\",[\"0x555555559290\"]]");
        assertThat(List.of(page)).allMatch(p -> !p.contains("@MALLOCSCOPE"));
    }
}
