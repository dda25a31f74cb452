package io.mallocscope.cli.model;

import io.mallocscope.runtime.malloc.HeapView;

/**
 * One chunk of the heap as the chunk walk sees it: its header words and, for a free chunk, its
 * links as they lie in memory (a tcache or fastbin {@code fd} is stored safe-linked; {@code fdDecoded}
 * holds the pointer it stands for).
 */
public record Chunk(long address, long prevSize, long sizeField, HeapView.State state,
                    long fd, long fdDecoded, long bk, long fdNextsize, long bkNextsize) {
    public static final long PREV_INUSE = 1;
    public static final long IS_MMAPPED = 2;
    public static final long NON_MAIN_ARENA = 4;

    /** The chunk size without the flag bits. */
    public long size() {
        return sizeField & ~7L;
    }

    /** The address malloc hands out for this chunk: just past the two header words. */
    public long mem() {
        return address + 16;
    }

    public long end() {
        return address + size();
    }

    public boolean prevInuse() {
        return (sizeField & PREV_INUSE) != 0;
    }

    public boolean isMmapped() {
        return (sizeField & IS_MMAPPED) != 0;
    }

    public boolean nonMainArena() {
        return (sizeField & NON_MAIN_ARENA) != 0;
    }

    /** An in-use chunk (no links) — what most chunks in a fixture are. */
    public static Chunk inUse(long address, long sizeField) {
        return new Chunk(address, 0, sizeField, HeapView.State.IN_USE, 0, 0, 0, 0, 0);
    }
}
