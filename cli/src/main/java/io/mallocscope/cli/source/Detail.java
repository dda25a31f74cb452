package io.mallocscope.cli.source;

/**
 * How much of a state a view reads, so a source takes no more than that: a big heap's bytes are
 * megabytes to copy and its chunks thousands to walk.
 */
public enum Detail {
    /** Chunks, bins, mappings, and a copy of the heap's bytes that stays valid when the source moves on ({@code vis}). */
    ALL,
    /**
     * Chunks, bins and mappings; the snapshot's memory reads the live process, so it is for a view that
     * reads no memory ({@code heap}, {@code bins}, {@code diff}).
     */
    NO_BYTES,
    /** The mappings, the break and the mmapped chunks only: no chunk walk, no bins, no bytes ({@code maps}). */
    MAPS
}
