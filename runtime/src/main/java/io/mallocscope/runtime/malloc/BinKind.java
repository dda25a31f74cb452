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

    private static final String[] NAMES = {"tcache", "fastbin", "unsorted", "smallbin", "largebin"};

    /** "tcache", "fastbin", "unsorted", "smallbin" or "largebin"; "?" for anything else. */
    public static String name(int kind) {
        return kind >= 0 && kind < NAMES.length ? NAMES[kind] : "?";
    }
}
