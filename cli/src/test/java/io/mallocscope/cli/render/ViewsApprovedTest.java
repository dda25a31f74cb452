package io.mallocscope.cli.render;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.testing.Approved;
import io.mallocscope.cli.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Every text view on the hand-built fixtures, compared exactly with approved files. */
class ViewsApprovedTest {

    static String render(SnapshotRenderer r, HeapSnapshot s, Style style) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        r.render(s, pw, style);
        pw.flush();
        return sw.toString();
    }

    @Test
    void heapFirstFit() {
        String out = render(new HeapRenderer(), Fixtures.firstFitAfterFree(), Style.PLAIN);
        assertThat(out).contains("Free chunk (unsortedbin) | PREV_INUSE\nAddr: 0x555555559290\n"
                + "Size: 0x520 (with flag bits: 0x521)\nfd: 0x7ffff7faace0\nbk: 0x7ffff7faace0\n");
        assertThat(out).contains("Allocated chunk\nAddr: 0x5555555597b0\nSize: 0x260 (with flag bits: 0x260)\n");
        Approved.verify("heap-first-fit", out);
    }

    @Test
    void heapTcachePairShowsTheStoredSafeLinkedFd() {
        String out = render(new HeapRenderer(), Fixtures.tcachePair(), Style.PLAIN);
        assertThat(out).contains("Free chunk (tcachebins) | PREV_INUSE\nAddr: 0x5555555592b0\n"
                + "Size: 0x20 (with flag bits: 0x21)\nfd: 0x55500000c7f9\n");
        Approved.verify("heap-tcache-pair", out);
    }

    @Test
    void binsFirstFit() {
        String out = render(new BinsTextRenderer(), Fixtures.firstFitAfterFree(), Style.PLAIN);
        assertThat(out).contains("unsortedbin\nall: 0x555555559290 —▸ 0x7ffff7faace0 (main_arena+96) ◂— 0x555555559290\n");
        Approved.verify("bins-first-fit", out);
    }

    @Test
    void binsTcachePairShowsDecodedUserPointers() {
        String out = render(new BinsTextRenderer(), Fixtures.tcachePair(), Style.PLAIN);
        assertThat(out).startsWith("tcachebins\n0x20 [  2]: 0x5555555592c0 —▸ 0x5555555592a0 ◂— 0\nfastbins\nempty\n");
        Approved.verify("bins-tcache-pair", out);
    }

    @Test
    void binsJsonListsChunkAddressesBySize() {
        String out = render(new BinsJsonRenderer(), Fixtures.tcachePair(), Style.PLAIN);
        assertThat(out).contains("\"tcache\": {\n    \"0x20\": [\"0x5555555592b0\", \"0x555555559290\"]\n  },");
        assertThat(out).contains("\"unsorted\": [],");
        Approved.verify("bins-tcache-pair-json", out);
    }

    @Test
    void visFirstFitFoldsIdenticalRowsAndMarksBinsAndTop() {
        String out = render(new VisRenderer(0), Fixtures.firstFitAfterFree(), Style.PLAIN);
        assertThat(out).contains("0x555555559290\t0x0000000000000000\t0x0000000000000521\t........!.......\t"
                + " <-- unsortedbin[0]\n0x5555555592a0\t0x00007ffff7faace0\t0x00007ffff7faace0\t................\n");
        assertThat(out).contains("↓ 38 identical rows");
        assertThat(out).endsWith("0x555555559a10\t0x0000000000000000\t0x00000000000205f1\t................\t <-- Top chunk\n");
        Approved.verify("vis-first-fit", out);
    }

    @Test
    void visTcachePairNotesTheEntries() {
        String out = render(new VisRenderer(0), Fixtures.tcachePair(), Style.PLAIN);
        assertThat(out).contains("0x5555555592c0\t0x000055500000c7f9\t0x0000555555559010\t");
        assertThat(out).contains("<-- tcachebins[0x20][0/2]");
        assertThat(out).contains("<-- tcachebins[0x20][1/2]");
        Approved.verify("vis-tcache-pair", out);
    }

    @Test
    void visFirstChunksOnly() {
        String out = render(new VisRenderer(1), Fixtures.firstFitAfterFree(), Style.PLAIN);
        assertThat(out).doesNotContain("0x555555559290");
        Approved.verify("vis-first-fit-1-chunk", out);
    }

    @Test
    void mapsFirstFit() {
        String out = render(new MapsRenderer(), Fixtures.firstFitAfterFree(), Style.PLAIN);
        assertThat(out).contains("555555559000-55555557a000 rw-p   132K  heap (brk 0x55555557a000)");
        Approved.verify("maps-first-fit", out);
    }

    @Test
    void colourOnlyWhenAsked() {
        assertThat(render(new HeapRenderer(), Fixtures.firstFitAfterFree(), Style.PLAIN)).doesNotContain("\u001b[");
        assertThat(render(new HeapRenderer(), Fixtures.firstFitAfterFree(), Style.COLOR)).contains("\u001b[");
    }
}
