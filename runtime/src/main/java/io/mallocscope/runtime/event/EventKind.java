package io.mallocscope.runtime.event;

/**
 * The kinds of timeline events: the one vocabulary shared by the allocator's hooks
 * ({@code @TransitionPoint(EventKind.BIN_INSERT)} on {@code malloc.Transitions}), the recording agent,
 * the timeline codec and the views. {@link #wireName()} is the user-visible name used in the JSON
 * Lines export and the documentation ({@code call}, {@code tcache_put} …); the ordinal is the record
 * tag in the file, so constants are only ever appended.
 *
 * <p>An allocator transition carries the hook's arguments in order, each stored as {@link #fields()}
 * says: {@code P} a pointer (delta against the previous address), {@code U} an unsigned number,
 * {@code S} a signed one. Adding a transition is adding a constant here with its fields and a hook
 * with the same parameters; the writer, the reader and the agent follow from them. The other kinds
 * (calls, returns, system calls, signals, writes, output) have records of their own ({@link #fields()}
 * is null).
 */
public enum EventKind {
    /** A LibC call of the malloc family or a system call, made by the program (depth 0). */
    CALL("call", null),
    /** The end of the matching {@link #CALL}: its result, or the signal that unwound it. */
    RETURN("return", null),
    /** (chunk, size, tcache index, count after). */
    TCACHE_PUT("tcache_put", "PUUU"),
    TCACHE_GET("tcache_get", "PUUU"),
    /** (bin kind, bin index, chunk, size, reason). */
    BIN_INSERT("bin_insert", "UUPUU"),
    BIN_REMOVE("bin_remove", "UUPUU"),
    /** (chunk, size, remainder, remainder size). */
    SPLIT("split", "PUPU"),
    /** (chunk, size, neighbour, neighbour size, merged, merged size). */
    COALESCE("coalesce", "PUPUPU"),
    /** (old top, old size, new top, new size). */
    TOP_EXTEND("top_extend", "PUPU"),
    /** (top, old size, new size). */
    TOP_SHRINK("top_shrink", "PUU"),
    /** (chunk, size). */
    MMAP_CHUNK("mmap_chunk", "PU"),
    MUNMAP_CHUNK("munmap_chunk", "PU"),
    /** malloc_consolidate begins. */
    CONSOLIDATE("consolidate", ""),
    /** A kernel call (brk, sbrk, mmap, munmap, mremap, mprotect) with its arguments and result. */
    SYSCALL("syscall", null),
    /** (which: 0 mmap, 1 trim; old value; new value). */
    THRESHOLD("threshold", "USS"),
    /** SIGABRT, with glibc's message. */
    ABORT("abort", null),
    /** SIGSEGV: the faulting address and the reason. */
    SEGV("segv", null),
    /** Bytes the program stored through LibC (putLong, memcpy, strcpy …), so state can be rebuilt. */
    WRITE("write", null),
    /**
     * Bytes the process printed on stdout or stderr: the program's printf/puts/putchar, glibc's own
     * messages (malloc_printerr, malloc_stats, a failed assert) and the shell's "Aborted" line.
     * Since format version 2.
     */
    OUTPUT("output", null),
    /**
     * The file events of the memory-mapping segment, each with an address, two numbers and a path
     * (see {@code Event}): a file opened (fd, flags) or closed (fd); a file mapped (length, file
     * offset; the second number's high bit set for MAP_SHARED); a page of a private file mapping
     * copied at its first store (file offset); dirty pages written back (count, cause); SIGBUS (the
     * reason as path). Since format version 3.
     */
    OPEN("open", null),
    CLOSE("close", null),
    FILE_MAP("file_map", null),
    PAGE_PRIVATE("page_private", null),
    WRITE_BACK("write_back", null),
    SIGBUS("sigbus", null),
    /**
     * The events from here on are of process {@code pid}, thread {@code thread} (0 the main thread, then
     * 1, 2 … in order of {@code pthread_create}); written only where the running thread or process
     * changes, so a single-threaded recording of one process has none. Since format version 4.
     */
    CONTEXT("context", null);

    /** Whether this is one of the file events ({@link #OPEN} … {@link #SIGBUS}), which share one record. */
    public boolean isFileEvent() {
        return ordinal() >= OPEN.ordinal() && ordinal() <= SIGBUS.ordinal();
    }

    private static final EventKind[] VALUES = values();

    private final String wireName;
    private final String fields;

    EventKind(String wireName, String fields) {
        this.wireName = wireName;
        this.fields = fields;
    }

    /** The name used in files and exports: {@code "tcache_put"}, {@code "bin_insert"} … */
    public String wireName() {
        return wireName;
    }

    /**
     * How an allocator transition's values are stored, one letter per hook argument ({@code P},
     * {@code U}, {@code S}); null for the kinds with records of their own.
     */
    public String fields() {
        return fields;
    }

    /** Whether this is an allocator transition, reported by a {@code Transitions} hook. */
    public boolean isTransition() {
        return fields != null;
    }

    /** The kind stored as record tag {@code tag}, or null. */
    public static EventKind ofTag(int tag) {
        return tag >= 0 && tag < VALUES.length ? VALUES[tag] : null;
    }
}
