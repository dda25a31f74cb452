package io.mallocscope.cli.model;

/** The free lists of an arena, in the order pwndbg's {@code bins} prints them. */
public enum BinType {
    TCACHE("tcachebins", "tcache"),
    FASTBIN("fastbins", "fastbins"),
    UNSORTED("unsortedbin", "unsorted"),
    SMALLBIN("smallbins", "smallbins"),
    LARGEBIN("largebins", "largebins");

    private final String banner;
    private final String jsonKey;

    BinType(String banner, String jsonKey) {
        this.banner = banner;
        this.jsonKey = jsonKey;
    }

    /** pwndbg's heading ("tcachebins", "unsortedbin", …). */
    public String banner() {
        return banner;
    }

    /** The key of this list in {@code bins --format json}. */
    public String jsonKey() {
        return jsonKey;
    }
}
