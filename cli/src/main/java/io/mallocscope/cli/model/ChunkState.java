package io.mallocscope.cli.model;

/** Where a chunk of the heap is: handed out, in one of the free lists, or the top chunk. */
public enum ChunkState {
    IN_USE("Allocated chunk", null),
    TCACHE("Free chunk (tcachebins)", "tcachebins"),
    FASTBIN("Free chunk (fastbins)", "fastbins"),
    UNSORTED("Free chunk (unsortedbin)", "unsortedbin"),
    SMALLBIN("Free chunk (smallbins)", "smallbins"),
    LARGEBIN("Free chunk (largebins)", "largebins"),
    TOP("Top chunk", null);

    private final String title;
    private final String binWord;

    ChunkState(String title, String binWord) {
        this.title = title;
        this.binWord = binWord;
    }

    /** The heading pwndbg's {@code heap} gives a chunk in this state. */
    public String title() {
        return title;
    }

    /** pwndbg's name for the list this state belongs to ("tcachebins", …), or null. */
    public String binWord() {
        return binWord;
    }

    public boolean isFree() {
        return binWord != null;
    }
}
