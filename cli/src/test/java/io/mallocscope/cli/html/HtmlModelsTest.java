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
        return Fixtures.trace(rep, tunables, HtmlModels.DEFAULT_MAX_OPERATIONS);
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
                new HtmlModel.ChunkBox(heap + 0x290, 0x20, "in_use", "#1"),
                new HtmlModel.ChunkBox(heap + 0x2b0, 0x20d50, "top", ""));
        // the words of `timeline t.rep` and `diff`: what the call changed
        assertThat(first.explanation()).containsExactly("+ 0x555555559000 (0x290, in use)",
                "+ 0x555555559290 (0x20, in use)", "top: none → 0x5555555592b0 size 0x20d50",
                "brk: 0x555555559000 → 0x55555557a000 (+0x21000)", "maps: + 555555559000-55555557a000 (132K) [heap]");
        assertThat(first.brk()).isEqualTo(heap + 0x21000);

        HtmlModel.Step free = m.steps().get(2);
        assertThat(free.op()).isEqualTo("free(0x5555555592a0)");
        assertThat(free.chunks().get(1).state()).isEqualTo("tcache");
        assertThat(free.bins()).containsOnlyKeys("tcachebins[0x20]");
        assertThat(free.bins().get("tcachebins[0x20]")).containsExactly("0x555555559290");
        assertThat(free.explanation()).containsExactly("← 0x555555559290 (0x20) in use → in tcachebins",
                "tcachebins[0x20]: +0x555555559290  (0 → 1)");

        HtmlModel.Step again = m.steps().get(3);
        assertThat(again.op()).isEqualTo("malloc(0x18) = 0x5555555592a0");
        assertThat(again.bins()).isEmpty();
        assertThat(again.chunks().get(1)).isEqualTo(new HtmlModel.ChunkBox(heap + 0x290, 0x20, "in_use", "#3"));
        assertThat(again.explanation()).contains("tcachebins[0x20]: -0x555555559290  (1 → 0)");
    }

    @Test
    void largeRequestsAreMmappedChunksAndTunablesApply() throws IOException {
        HtmlModel m = replay("a 0 24\na 1 200000\nf 1\n", null);
        HtmlModel.Step mm = m.steps().get(2);
        assertThat(mm.chunks()).filteredOn(c -> c.state().equals("mmapped")).singleElement()
                .satisfies(c -> {
                    assertThat(c.size()).isEqualTo(0x31000);
                    assertThat(c.label()).isEqualTo("#2");
                });
        assertThat(mm.explanation()).contains("+ 0x7ffff7d9f000 (0x31000, mmapped)", "mp_.n_mmaps: 0x0 → 0x1");
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
        // labelled by the call that handed it out, freed or not, as on a recorded timeline's page
        assertThat(free.chunks().get(1)).isEqualTo(new HtmlModel.ChunkBox(0x555555559290L, 0x420, "unsorted", "#1"));
        HtmlModel.Step sort = m.steps().get(4);
        assertThat(sort.bins()).containsOnlyKeys("largebins[0x400-0x430]");
        assertThat(sort.explanation()).contains("unsortedbin: -0x555555559290  (1 → 0)",
                "largebins[0x400-0x430]: +0x555555559290  (0 → 1)");
    }

    @Test
    void mergesAndSplitsAreExplained() throws IOException {
        HtmlModel m = replay("a 0 1048\na 1 1048\na 2 24\nf 0\nf 1\na 3 100\nf 2\n", null);
        assertThat(m.steps().get(5).explanation()).contains(
                "- 0x5555555596b0 (0x420, in use): merged into 0x555555559290 (0x840, in unsortedbin)");
        assertThat(m.steps().get(5).chunks()).extracting(HtmlModel.ChunkBox::size, HtmlModel.ChunkBox::state)
                .containsExactly(tuple(0x290L, "in_use"), tuple(0x840L, "unsorted"), tuple(0x20L, "in_use"),
                        tuple(0x20510L, "top"));
        assertThat(m.steps().get(6).op()).isEqualTo("malloc(0x64) = 0x5555555592a0");
        assertThat(m.steps().get(6).explanation()).contains(
                "+ 0x555555559300 (0x7d0, in unsortedbin) (carved from 0x555555559290 (0x840, in unsortedbin))");
        // freeing the guard: tcache, so nothing merges; the top is unchanged
        assertThat(m.steps().get(7).explanation()).containsExactly("← 0x555555559ad0 (0x20) in use → in tcachebins",
                "tcachebins[0x20]: +0x555555559ad0  (0 → 1)");
    }

    @Test
    void aSignalEndsTheTimelineAtTheCallThatRaisedIt() throws IOException {
        // the program gives the whole heap back with sbrk behind malloc's back; the next malloc touches it
        HtmlModel m = replay("a 0 24\ns -135168\na 1 200\na 2 24\n", null);
        assertThat(m.steps()).hasSize(4);
        assertThat(m.steps().get(2).op()).isEqualTo("sbrk(-135168) = 0x55555557a000");
        assertThat(m.steps().get(2).brk()).isEqualTo(0x555555559000L);
        assertThat(m.steps().get(2).explanation()).contains("top: 0x5555555592b0 size 0x20d50 → none",
                "brk: 0x55555557a000 → 0x555555559000 (-0x21000)");
        HtmlModel.Step last = m.steps().get(3);
        assertThat(last.op()).startsWith("malloc() = <Segmentation fault: SIGSEGV: ").contains("(address not mapped)");
    }

    @Test
    void freeingAnIdTwiceIsFreeNullAsInTheReferenceHarness() throws IOException {
        HtmlModel m = replay("a 0 24\nf 0\nf 0\n", "glibc.malloc.tcache_count=0");
        assertThat(m.steps()).hasSize(4);
        assertThat(m.steps().get(3).bins()).isEqualTo(m.steps().get(2).bins());
        assertThat(m.steps().get(3).op()).isEqualTo("free(0x0)");
        assertThat(m.steps().get(3).explanation()).isEmpty();
    }

    @Test
    void longTracesAreCutAndSaySo() throws IOException {
        Path rep = dir.resolve("long.rep");
        Files.writeString(rep, "a 0 24\nf 0\na 1 24\nf 1\na 2 24\n");
        HtmlModel m = Fixtures.trace(rep, null, 3);
        assertThat(m.steps()).hasSize(4);
        assertThat(m.steps().get(3).op()).isEqualTo("malloc(0x18) = 0x5555555592a0");
        assertThat(m.steps().get(3).explanation()).last()
                .isEqualTo("The trace goes on for 2 more operations, not shown here (the page shows the first 3).");
        assertThat(Fixtures.trace(rep, null, HtmlModels.DEFAULT_MAX_OPERATIONS).steps()).hasSize(6);
        assertThatThrownBy(() -> Fixtures.trace(rep, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxOperations must be at least 1, got 0");
    }

    @Test
    void malformedTraceNamesFileAndLine() {
        assertThatThrownBy(() -> replay("a 0 24\nq 1\n", null))
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
