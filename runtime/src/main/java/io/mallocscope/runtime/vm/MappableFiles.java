package io.mallocscope.runtime.vm;

/** How {@link Kernel#mmap} reaches the file behind a descriptor (the file table of the process). */
public interface MappableFiles {
    /** What {@code fd} refers to, for mmap; null when it is not an open descriptor (EBADF). */
    Target forMmap(int fd);

    /**
     * An open file as mmap sees it: its page cache and path (null for something that cannot be
     * mapped, ENODEV), and whether the descriptor was opened for reading and for writing.
     */
    record Target(FileBacking file, String path, boolean readable, boolean writable) {
    }
}
