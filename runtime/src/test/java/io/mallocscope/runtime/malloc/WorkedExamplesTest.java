package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The verified examples of the 2.36 fact sheet (§11, §9, §4, §6), with exact offsets. */
class WorkedExamplesTest {

    @Test
    void ex1_firstMalloc() {
        CheckedHeap h = new CheckedHeap();
        assertThat(h.malloc(24)).isEqualTo(0x2a0);
        assertThat(h.brk()).isEqualTo(0x21000);
        HeapView v = h.view();
        assertThat(v.top() - h.base).isEqualTo(0x2b0);
        assertThat(h.c.getLong(v.top() + 8)).isEqualTo(0x20d51);
        assertThat(v.heapStart()).isEqualTo(h.base);
        assertThat(v.chunks().get(0).size()).isEqualTo(0x290);
    }

    @Test
    void ex2_bigRequestFromTop() {
        CheckedHeap h = new CheckedHeap();
        assertThat(h.malloc(24)).isEqualTo(0x2a0);
        assertThat(h.malloc(0x20000)).isEqualTo(0x2c0);
    }

    @Test
    void ex3_dynamicMmapThreshold() {
        CheckedHeap h = new CheckedHeap();
        long a = h.c.malloc(200000);
        assertThat(a & 0xfff).isEqualTo(0x10);
        assertThat(h.c.getLong(a - 8)).isEqualTo(0x31002);
        assertThat(h.view().mmappedChunks()).hasSize(1);
        h.c.free(a);
        assertThat(h.view().params().mmapThreshold()).isEqualTo(0x31000);
        assertThat(h.view().params().trimThreshold()).isEqualTo(0x62000);
        assertThat(h.malloc(200000)).isEqualTo(0x2a0);
        assertThat(h.malloc(24)).isEqualTo(0x30ff0);
        assertThat(h.brk()).isEqualTo(0x51000);
    }

    @Test
    void ex4_callocCreatesTcacheFirst() {
        CheckedHeap h = new CheckedHeap();
        assertThat(h.calloc(1, 24)).isEqualTo(0x2a0);
        assertThat(h.malloc(24)).isEqualTo(0x2c0);
    }

    @Test
    void ex5_reallocNullAndZero() {
        CheckedHeap h = new CheckedHeap();
        long p = h.realloc(-1, 100);
        assertThat(p).isEqualTo(0x2a0);
        assertThat(h.realloc(p, 0)).isEqualTo(-1);
        assertThat(h.malloc(100)).isEqualTo(0x2a0);
    }

    @Test
    void ex6_tcacheLifo() {
        CheckedHeap h = new CheckedHeap();
        long a = h.malloc(24);
        long b = h.malloc(24);
        h.free(a);
        h.free(b);
        assertThat(h.malloc(24)).isEqualTo(0x2c0);
        assertThat(h.malloc(24)).isEqualTo(0x2a0);
    }

    @Test
    void ex7_tcacheEdge() {
        CheckedHeap h = new CheckedHeap();
        long a = h.malloc(1032);
        long b = h.malloc(1033);
        assertThat(a).isEqualTo(0x2a0);
        assertThat(b).isEqualTo(0x6b0);
        assertThat(h.malloc(24)).isEqualTo(0xad0);
        h.free(a);
        h.free(b);
        assertThat(h.malloc(1032)).isEqualTo(0x2a0);
        assertThat(h.malloc(1033)).isEqualTo(0x6b0);
    }

    @Test
    void ex8_lastRemainder() {
        CheckedHeap h = new CheckedHeap();
        long a = h.malloc(1280);
        assertThat(a).isEqualTo(0x2a0);
        assertThat(h.malloc(24)).isEqualTo(0x7b0);
        h.free(a);
        assertThat(h.malloc(256)).isEqualTo(0x2a0);
        assertThat(h.view().lastRemainder() - h.base).isEqualTo(0x3a0);
        assertThat(h.malloc(256)).isEqualTo(0x3b0);
        assertThat(h.malloc(2000)).isEqualTo(0x7d0);
        assertThat(h.malloc(24)).isEqualTo(0x4c0);
    }

    @Test
    void ex9_memalign64First() {
        CheckedHeap h = new CheckedHeap();
        long a = h.memalign(64, 100);
        assertThat(a).isEqualTo(0x40);
        assertThat(h.view().tcache()).isZero();
        assertThat(h.view().bins()).extracting(HeapView.Bin::kind).containsOnly(BinKind.FASTBIN);
        assertThat(h.malloc(24)).isEqualTo(0x380);
        assertThat(h.view().tcache() - h.base).isEqualTo(0xf0);
        h.free(a);
        assertThat(h.malloc(24)).isEqualTo(0x3a0);
    }

    @Test
    void ex10_memalign4096First() {
        CheckedHeap h = new CheckedHeap();
        assertThat(h.memalign(4096, 100)).isEqualTo(0x1000);
        assertThat(h.malloc(24)).isEqualTo(0x2a0);
        assertThat(h.brk()).isEqualTo(0x22000);
    }

    @Test
    void ex11_trimGrowsHeapWhenTopIsMinimal() {
        CheckedHeap h = new CheckedHeap();
        assertThat(h.malloc(134472)).isEqualTo(0x2a0);
        assertThat(h.view().topSize()).isEqualTo(0x20);
        assertThat(h.trim(0)).isEqualTo(1);
        assertThat(h.brk()).isEqualTo(0x22000);
        CheckedHeap h2 = new CheckedHeap();
        h2.malloc(134472);
        assertThat(h2.trim(65536)).isEqualTo(1);
        assertThat(h2.brk()).isEqualTo(0x21000 + 0x11000);
    }

    @Test
    void ex12_foreignSbrkMakesMallocFail() {
        CheckedHeap h = new CheckedHeap("glibc.malloc.mmap_threshold=1048576");
        assertThat(h.malloc(24)).isEqualTo(0x2a0);
        h.c.sbrk(4096);
        assertThat(h.malloc(200000)).isEqualTo(-1);
        assertThat(h.c.errno()).isEqualTo(12);
        assertThat(h.view().bins()).extracting(HeapView.Bin::kind).contains(BinKind.UNSORTED);
    }

    @Test
    void nineFortyByteChunksComeBackInFactSheetOrder() {
        CheckedHeap h = new CheckedHeap();
        long[] c = new long[9];
        for (int i = 0; i < 9; i++) {
            c[i] = h.malloc(40);
        }
        for (int i = 0; i < 9; i++) {
            h.free(c[i]);
        }
        long[] expect = {c[6], c[5], c[4], c[3], c[2], c[1], c[0], c[8], c[7]};
        for (int i = 0; i < 9; i++) {
            assertThat(h.malloc(40)).as("malloc #%d", i).isEqualTo(expect[i]);
        }
    }

    @Test
    void brkFailureFallsBackToOneMiBMapping() {
        CheckedHeap h = new CheckedHeap(ProcessOptions.defaults().withDataLimit(0x1000));
        long p = h.c.malloc(24);
        HeapView v = h.view();
        assertThat(v.contiguous()).isFalse();
        assertThat(p - v.heapStart()).isEqualTo(0x2a0);
        assertThat(v.systemMem()).isEqualTo(0x100000);
        // exhaust the first mapping: the next extension maps the page-rounded
        // nb + top_pad + MINSIZE = 0x1f010 + 0x20000 + 0x20 -> 0x40000, with no 1 MiB minimum (2.36's swap)
        for (int i = 0; i < 8; i++) {
            assertThat(h.c.malloc(0x1f000)).isNotZero();
        }
        assertThat(h.view().systemMem()).isEqualTo(0x100000);
        assertThat(h.c.malloc(0x1f000)).isNotZero();
        assertThat(h.view().systemMem()).isEqualTo(0x140000);
        h.check();
    }

    @Test
    void reallocShrinkFreesTailIntoTcache() {
        CheckedHeap h = new CheckedHeap();
        long p = h.malloc(0x100);
        assertThat(h.realloc(p, 0x10)).isEqualTo(p);
        assertThat(h.view().bins()).anySatisfy(b -> {
            assertThat(b.kind()).isEqualTo(BinKind.TCACHE);
            assertThat(b.chunkSize()).isEqualTo(0xf0);
        });
    }

    @Test
    void mallinfoMatchesBriefExample() {
        CheckedHeap h = new CheckedHeap();
        long a0 = h.malloc(24);
        long a1 = h.malloc(24);
        h.free(a0);
        h.malloc(24);
        long a3 = h.c.malloc(200000);
        h.c.free(a3);
        assertThat(h.malloc(200000)).isEqualTo(0x2e0);
        assertThat(h.realloc(a1, 5000)).isEqualTo(0x31030);
        assertThat(h.brk()).isEqualTo(0x52000);
        Mallinfo2 mi = h.c.mallinfo2();
        assertThat(mi).isEqualTo(h.view().mallinfo2());
        assertThat(mi.arena()).isEqualTo(335872);
        assertThat(mi.keepcost()).isEqualTo(130128);
    }
}
