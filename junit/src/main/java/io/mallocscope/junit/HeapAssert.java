package io.mallocscope.junit;

import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.malloc.HeapView;
import org.opentest4j.AssertionFailedError;

import java.util.List;

/** Assertions about a whole heap; see {@link HeapAssertions}. Each call looks at the heap as it is now. */
public final class HeapAssert {
    private final Heap heap;

    HeapAssert(Heap heap) {
        this.heap = heap;
    }

    /**
     * The free list of {@code binKind} ({@link BinKind#TCACHE}, {@link BinKind#FASTBIN},
     * {@link BinKind#SMALLBIN}, {@link BinKind#LARGEBIN}) holding chunks of {@code chunkSize}; for a
     * large bin, the bin whose size range contains it. For the unsorted bin use {@link #unsortedBin()}.
     */
    public BinAssert bin(int binKind, long chunkSize) {
        if (binKind == BinKind.UNSORTED) {
            return unsortedBin();
        }
        if (chunkSize < 0x20 || (chunkSize & 0xf) != 0) {
            throw new IllegalArgumentException("not a chunk size: 0x" + Long.toHexString(chunkSize)
                    + " (chunk sizes are multiples of 0x10 from 0x20; malloc(24) makes a 0x20 chunk)");
        }
        // the release's own geometry (2.43's large tcache bins, no fastbins); -1: no such bin, so it is empty
        int index = heap.view().binIndexOf(binKind, chunkSize);
        String label = BinKind.name(binKind) + " bin for 0x" + Long.toHexString(chunkSize);
        return new BinAssert(heap, label, find(binKind, index));
    }

    /** The unsorted bin. */
    public BinAssert unsortedBin() {
        return new BinAssert(heap, "unsorted bin", find(BinKind.UNSORTED, 1));
    }

    /** The chunk whose user pointer is {@code pointer} (a heap chunk or an mmapped one). */
    public ChunkAssert chunkAt(long pointer) {
        HeapView v = heap.view();
        for (HeapView.Chunk c : v.chunks()) {
            if (c.mem() == pointer) {
                return new ChunkAssert(heap, c);
            }
        }
        for (HeapView.Chunk c : v.mmappedChunks()) {
            if (c.mem() == pointer) {
                return new ChunkAssert(heap, c);
            }
        }
        throw new AssertionFailedError("no chunk starts at " + BinAssert.describe(heap, pointer)
                + ": it is not a pointer malloc returned, or the heap walk cannot reach it");
    }

    /** Nothing allocated is left: the heap holds no in-use chunk but the tcache's own, and nothing is mmapped. */
    public HeapAssert hasNoLeaks() {
        String report = heap.leakReport();
        if (!report.isEmpty()) {
            throw new AssertionFailedError("expected no leaks, but:" + System.lineSeparator() + report);
        }
        return this;
    }

    /** Exactly {@code count} chunks are still allocated. */
    public HeapAssert hasLeakedBlocks(int count) {
        List<Leak> leaks = heap.leaks();
        if (leaks.size() != count) {
            throw new AssertionFailedError("expected " + count + " unfreed blocks, found " + leaks.size() + ":"
                    + System.lineSeparator() + LeakReport.format(leaks, heap.start(), heap.process().memory()), count, leaks.size());
        }
        return this;
    }

    /** The top chunk's size is {@code size}. */
    public HeapAssert hasTopSize(long size) {
        long actual = heap.view().topSize();
        if (actual != size) {
            throw new AssertionFailedError("expected top to be 0x" + Long.toHexString(size) + " bytes, but it is 0x"
                    + Long.toHexString(actual), "0x" + Long.toHexString(size), "0x" + Long.toHexString(actual));
        }
        return this;
    }

    /**
     * The heap walk and every bin walk ended normally. The failure names each corrupt list, the chunk
     * whose link is bad and where it points (or where the chunk walk stopped).
     */
    public HeapAssert isNotCorrupt() {
        if (heap.view().corrupt()) {
            String what = heap.corruption();
            throw new AssertionFailedError("the heap is corrupt:" + System.lineSeparator()
                    + (what.isEmpty() ? "a chunk walk or a bin walk met an impossible size or link" : what.strip()));
        }
        return this;
    }

    private HeapView.Bin find(int kind, int index) {
        for (HeapView.Bin b : heap.view().bins()) {
            if (b.kind() == kind && b.index() == index) {
                return b;
            }
        }
        return null;
    }
}
