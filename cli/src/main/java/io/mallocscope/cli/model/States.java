package io.mallocscope.cli.model;

import io.mallocscope.runtime.malloc.HeapView;

/** How the views name the allocator's chunk states ({@link HeapView.State}, the one chunk-state enum). */
public final class States {
    private States() {
    }

    /** The heading pwndbg's {@code heap} gives a chunk in this state. */
    public static String title(HeapView.State s) {
        return switch (s) {
            case IN_USE -> "Allocated chunk";
            case TOP -> "Top chunk";
            default -> "Free chunk (" + binWord(s) + ")";
        };
    }

    /** pwndbg's name for the list a free chunk is in ("tcachebins", …), or null for in-use and top. */
    public static String binWord(HeapView.State s) {
        return switch (s) {
            case TCACHE -> "tcachebins";
            case FASTBIN -> "fastbins";
            case UNSORTED -> "unsortedbin";
            case SMALLBIN -> "smallbins";
            case LARGEBIN -> "largebins";
            case IN_USE, TOP -> null;
        };
    }

    /** Whether the chunk is in one of the free lists. */
    public static boolean isFree(HeapView.State s) {
        return binWord(s) != null;
    }
}
