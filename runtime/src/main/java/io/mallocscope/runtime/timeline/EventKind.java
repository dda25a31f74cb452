package io.mallocscope.runtime.timeline;

/**
 * The kinds of timeline events. {@link #wireName()} is the user-visible name used in the JSON Lines
 * export and the documentation ({@code call}, {@code tcache_put} …); the ordinal is the record tag
 * in the file, so constants are only ever appended.
 */
public enum EventKind {
    /** A LibC call of the malloc family or a system call, made by the program (depth 0). */
    CALL("call"),
    /** The end of the matching {@link #CALL}: its result, or the signal that unwound it. */
    RETURN("return"),
    TCACHE_PUT("tcache_put"),
    TCACHE_GET("tcache_get"),
    BIN_INSERT("bin_insert"),
    BIN_REMOVE("bin_remove"),
    SPLIT("split"),
    COALESCE("coalesce"),
    TOP_EXTEND("top_extend"),
    TOP_SHRINK("top_shrink"),
    MMAP_CHUNK("mmap_chunk"),
    MUNMAP_CHUNK("munmap_chunk"),
    CONSOLIDATE("consolidate"),
    /** A kernel call (brk, sbrk, mmap, munmap, mremap, mprotect) with its arguments and result. */
    SYSCALL("syscall"),
    THRESHOLD("threshold"),
    /** SIGABRT, with glibc's message. */
    ABORT("abort"),
    /** SIGSEGV: the faulting address and the reason. */
    SEGV("segv"),
    /** Bytes the program stored through LibC (putLong, memcpy, strcpy …), so state can be rebuilt. */
    WRITE("write"),
    /**
     * Bytes the process printed on stdout or stderr: the program's printf/puts/putchar, glibc's own
     * messages (malloc_printerr, malloc_stats, a failed assert) and the shell's "Aborted" line.
     * Since format version 2.
     */
    OUTPUT("output");

    private static final EventKind[] VALUES = values();

    private final String wireName;

    EventKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in files and exports: {@code "tcache_put"}, {@code "bin_insert"} … */
    public String wireName() {
        return wireName;
    }

    static EventKind ofTag(int tag) {
        return tag >= 0 && tag < VALUES.length ? VALUES[tag] : null;
    }
}
