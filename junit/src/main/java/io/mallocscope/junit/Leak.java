package io.mallocscope.junit;

/**
 * One chunk still allocated: where it is, how big, and which call made it.
 *
 * @param pointer    the pointer malloc returned (chunk + 0x10)
 * @param chunkSize  the chunk's size, flags masked off
 * @param usable     the bytes the program may use (what {@code malloc_usable_size} says)
 * @param mmapped    whether the chunk has its own mapping
 * @param allocation the recorded call, or null if the chunk was allocated before the process's first
 *                   {@link Heap} began recording (a process {@link SimulatedProcess} made has every call)
 */
public record Leak(long pointer, long chunkSize, long usable, boolean mmapped, Allocation allocation) {

    /** The bytes reported as lost: the request when known, otherwise the usable size. */
    public long bytes() {
        return allocation != null ? allocation.requested() : usable;
    }
}
