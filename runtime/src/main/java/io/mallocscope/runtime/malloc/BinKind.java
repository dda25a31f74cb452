package io.mallocscope.runtime.malloc;

/** The kinds of free lists a chunk can sit in, as reported by {@link Transitions}. */
public final class BinKind {
    private BinKind() {
    }

    public static final int TCACHE = 0;
    public static final int FASTBIN = 1;
    public static final int UNSORTED = 2;
    public static final int SMALLBIN = 3;
    public static final int LARGEBIN = 4;
    /**
     * No bin: a chunk unlinked by a merge whose links lead to no bin of its arena (a chunk the program
     * forged, as unsafe_unlink and house_of_einherjar do; index 0). unlink_chunk only checks that
     * fd->bk and bk->fd point back at it.
     */
    public static final int NONE = 5;

    private static final String[] NAMES = {"tcache", "fastbin", "unsorted", "smallbin", "largebin", "none"};

    /** "tcache", "fastbin", "unsorted", "smallbin", "largebin" or "none"; "?" for anything else. */
    public static String name(int kind) {
        return kind >= 0 && kind < NAMES.length ? NAMES[kind] : "?";
    }
}
