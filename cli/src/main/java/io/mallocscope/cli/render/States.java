package io.mallocscope.cli.render;

import io.mallocscope.runtime.malloc.HeapView;

/** How the views name the allocator's chunk states ({@link HeapView.State}, the one chunk-state enum). */
final class States {
    private States() {
    }

    /** The heading pwndbg's {@code heap} gives a chunk in this state. */
    static String title(HeapView.State s) {
        return switch (s) {
            case IN_USE -> "Allocated chunk";
            case TOP -> "Top chunk";
            default -> "Free chunk (" + binWord(s) + ")";
        };
    }

    /** pwndbg's name for the list a free chunk is in ("tcachebins", …), or null for in-use and top. */
    static String binWord(HeapView.State s) {
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
    static boolean isFree(HeapView.State s) {
        return binWord(s) != null;
    }
}
