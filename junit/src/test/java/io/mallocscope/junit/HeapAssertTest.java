package io.mallocscope.junit;

import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.malloc.HeapView;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import static io.mallocscope.junit.HeapAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SimulatedProcess
class HeapAssertTest {

    @Test
    void tcacheBinsListTheirChunksHeadFirst(LibC c, Heap heap) {
        long p1 = c.malloc(24);
        long p2 = c.malloc(24);
        c.free(p1);
        c.free(p2);
        assertThat(heap).bin(BinKind.TCACHE, 0x20).containsExactly(p2, p1).hasCount(2);
        assertThatThrownBy(() -> assertThat(heap).bin(BinKind.TCACHE, 0x20).containsExactly(p1, p2))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessage("expected the tcache bin for 0x20 to hold [heap+0x2a0, heap+0x2c0] but it holds "
                        + "[heap+0x2c0, heap+0x2a0]");
    }

    @Test
    void chunkAtDescribesOneChunk(LibC c, Heap heap) {
        long a = c.malloc(0x28);
        long b = c.malloc(0x500);
        long guard = c.malloc(24);
        c.free(a);
        c.free(b);
        assertThat(heap).chunkAt(a).isFree().isIn(HeapView.State.TCACHE).hasSize(0x30);
        assertThat(heap).chunkAt(b).isFree().isIn(HeapView.State.UNSORTED).hasSize(0x510);
        assertThat(heap).chunkAt(guard).isInUse().hasSize(0x20).hasPrevInuse(false);
        assertThat(heap).unsortedBin().containsExactly(b);
        assertThatThrownBy(() -> assertThat(heap).chunkAt(guard).isFree())
                .hasMessage("expected the chunk at heap+0x7e0 (size 0x20) to be free, but it is in_use");
        assertThatThrownBy(() -> assertThat(heap).chunkAt(a).hasSize(0x20))
                .hasMessage("expected the chunk at heap+0x2a0 (size 0x30) to have size 0x20 but it has 0x30");
        assertThatThrownBy(() -> assertThat(heap).chunkAt(a + 8))
                .hasMessageStartingWith("no chunk starts at heap+0x2a8");
    }

    @Test
    void largeBinsAreFoundBySizeRange(LibC c, Heap heap) {
        long p = c.malloc(0x428);
        c.malloc(24);
        c.free(p);
        c.malloc(0x1000);
        assertThat(heap).bin(BinKind.LARGEBIN, 0x400).containsExactly(p);
        assertThat(heap).bin(BinKind.LARGEBIN, 0x430).containsExactly(p);
        assertThat(heap).bin(BinKind.LARGEBIN, 0x440).isEmpty();
    }

    @Test
    void mmappedChunksAreFoundToo(LibC c, Heap heap) {
        long big = c.malloc(0x40000);
        assertThat(heap).chunkAt(big).isMmapped().isInUse().hasSize(0x41000);
    }

    @Test
    void aHeapWithEverythingFreedHasNoLeaks(LibC c, Heap heap) {
        long a = c.malloc(24);
        long b = c.malloc(0x500);
        long m = c.malloc(0x40000);
        c.free(a);
        c.free(b);
        c.free(m);
        assertThat(heap).hasNoLeaks().hasLeakedBlocks(0).isNotCorrupt();
    }

    @Test
    void leaksAreReportedWithTheirCallSites(LibC c, Heap heap) {
        long kept = c.malloc(40);
        long freed = c.strdup("gone");
        c.free(freed);
        long direct = c.malloc(24);
        assertThat(heap.leaks()).extracting(Leak::pointer).containsExactly(kept, direct);
        assertThat(heap.leaks()).extracting(l -> l.allocation().callSite()).allSatisfy(site -> assertThat(site)
                .startsWith("io.mallocscope.junit.HeapAssertTest.leaksAreReportedWithTheirCallSites(HeapAssertTest.java:"));
        assertThatThrownBy(() -> assertThat(heap).hasNoLeaks())
                .hasMessageContaining("40 bytes in 1 blocks are definitely lost in loss record 1 of 2")
                .hasMessageContaining("   at 0x5555555592a0: malloc (heap+0x2a0, chunk 0x30)")
                .hasMessageContaining("   by io.mallocscope.junit.HeapAssertTest.leaksAreReportedWithTheirCallSites(HeapAssertTest.java:")
                .hasMessageContaining("24 bytes in 1 blocks are definitely lost in loss record 2 of 2")
                .hasMessageContaining("LEAK SUMMARY: definitely lost: 64 bytes in 2 blocks");
        assertThat(heap).hasLeakedBlocks(2);
        assertThatThrownBy(() -> assertThat(heap).hasLeakedBlocks(1))
                .hasMessageStartingWith("expected 1 unfreed blocks, found 2:");
    }

    @Test
    @SuppressWarnings("deprecation")
    void theHeapsOwnMallocFamilyStillWorksAndRecordsItsCaller(Heap heap) {
        long p = heap.malloc(16);
        heap.malloc(16);
        long q = heap.realloc(p, 0x100);
        assertThat(q).isNotEqualTo(p);
        long z = heap.calloc(2, 8);
        long s = heap.strdup("abc");
        assertThat(heap.trackedAllocations()).extracting(Allocation::function)
                .containsExactly("malloc", "realloc", "calloc", "strdup");
        assertThat(heap.trackedAllocations().get(0).callSite())
                .startsWith("io.mallocscope.junit.HeapAssertTest.theHeapsOwnMallocFamilyStillWorksAndRecordsItsCaller(HeapAssertTest.java:");
        heap.free(z);
        heap.free(s);
        assertThat(heap.leaks()).hasSize(2);
    }

    @Test
    void heapsOfOneProcessShareTheirRecord(LibC c, Heap heap) {
        long p = c.malloc(24);
        assertThat(Heap.track(c).trackedAllocations()).extracting(Allocation::pointer).containsExactly(p);
        c.free(p);
        assertThat(heap.trackedAllocations()).isEmpty();
        assertThat(Heap.of(io.mallocscope.runtime.CProcess.create()).trackedAllocations()).isEmpty();
    }

    @Test
    void topSizeAfterTheFirstMalloc(LibC c, Heap heap) {
        c.malloc(24);
        assertThat(heap).hasTopSize(0x20d50);
    }

    @Test
    void aBadChunkSizeIsAUsageError(Heap heap) {
        assertThatThrownBy(() -> assertThat(heap).bin(BinKind.TCACHE, 24))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a chunk size: 0x18");
    }
}
