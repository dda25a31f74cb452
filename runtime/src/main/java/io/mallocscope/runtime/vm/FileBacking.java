package io.mallocscope.runtime.vm;

/**
 * What a file mapping maps: a file's page cache. Every mapping of the same file, in any process,
 * reaches the same page arrays through it, so a store through a {@code MAP_SHARED} mapping is seen
 * at once by {@code read}, by the other mappings and by the other processes.
 */
public interface FileBacking {
    /**
     * The cached page {@code index} of the file (loaded on first use), an array of exactly {@link
     * AddressSpace#PAGE_SIZE} bytes, or null when the page lies
     * wholly beyond the end of the file: touching it raises SIGBUS. Bytes of the last page past the
     * end of the file read as zero.
     */
    byte[] cachePage(long index);

    /** The file's size in bytes. */
    long size();

    /** A {@code MAP_SHARED} mapping wrote to page {@code index}: it must be written back. */
    void pageDirtied(long index);

    /** {@code as} maps this file from now on (once per mapping); the file tells it when it shrinks. */
    void mappedBy(AddressSpace as);

    /** One mapping of this file in {@code as} is gone. */
    void unmappedBy(AddressSpace as);

    /** The device column of {@code /proc/PID/maps}, as "major:minor" in hex. */
    String device();

    /** The inode column of {@code /proc/PID/maps}. */
    long inode();
}
