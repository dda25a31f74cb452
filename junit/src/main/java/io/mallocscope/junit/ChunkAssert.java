package io.mallocscope.junit;

import io.mallocscope.runtime.malloc.HeapView;
import org.opentest4j.AssertionFailedError;

/** Assertions about one chunk, as the heap walk saw it when {@link HeapAssert#chunkAt(long)} was called. */
public final class ChunkAssert {
    private final Heap heap;
    private final HeapView.Chunk chunk;

    ChunkAssert(Heap heap, HeapView.Chunk chunk) {
        this.heap = heap;
        this.chunk = chunk;
    }

    /** The chunk sits in a free list (tcache, fastbin, unsorted, small or large bin). */
    public ChunkAssert isFree() {
        if (chunk.state() == HeapView.State.IN_USE || chunk.state() == HeapView.State.TOP) {
            fail("to be free", chunk.state().name().toLowerCase());
        }
        return this;
    }

    /** The chunk is allocated (not in any free list, not top). */
    public ChunkAssert isInUse() {
        if (chunk.state() != HeapView.State.IN_USE) {
            fail("to be in use", "free, in the " + chunk.state().name().toLowerCase());
        }
        return this;
    }

    /** The chunk is in this kind of place: {@code TCACHE}, {@code FASTBIN}, {@code UNSORTED}, … */
    public ChunkAssert isIn(HeapView.State state) {
        if (chunk.state() != state) {
            fail("to be " + state.name().toLowerCase(), chunk.state().name().toLowerCase());
        }
        return this;
    }

    /** The chunk's size, flags masked off: {@code malloc(24)} gives 0x20. */
    public ChunkAssert hasSize(long size) {
        if (chunk.size() != size) {
            throw new AssertionFailedError(what() + " to have size 0x" + Long.toHexString(size) + " but it has 0x"
                    + Long.toHexString(chunk.size()), "0x" + Long.toHexString(size), "0x" + Long.toHexString(chunk.size()));
        }
        return this;
    }

    /** The P bit: the chunk before this one is in use (or in the tcache or a fastbin). */
    public ChunkAssert hasPrevInuse(boolean set) {
        if (chunk.prevInuse() != set) {
            fail("to have PREV_INUSE " + (set ? "set" : "clear"), set ? "clear" : "set");
        }
        return this;
    }

    /** The M bit: the chunk has a mapping of its own. */
    public ChunkAssert isMmapped() {
        if (!chunk.isMmapped()) {
            fail("to be mmapped", "it is in the heap");
        }
        return this;
    }

    private void fail(String expectation, String actual) {
        throw new AssertionFailedError(what() + " " + expectation + ", but it is " + actual);
    }

    private String what() {
        return "expected the chunk at " + BinAssert.describe(heap, chunk.mem()) + " (size 0x"
                + Long.toHexString(chunk.size()) + ")";
    }
}
