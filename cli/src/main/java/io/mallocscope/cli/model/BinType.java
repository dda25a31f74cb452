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

    /** The list of the allocator's {@code BinKind} constant {@code kind} (tcache, fastbin, …). */
    public static BinType of(int kind) {
        return switch (kind) {
            case io.mallocscope.runtime.malloc.BinKind.TCACHE -> TCACHE;
            case io.mallocscope.runtime.malloc.BinKind.FASTBIN -> FASTBIN;
            case io.mallocscope.runtime.malloc.BinKind.UNSORTED -> UNSORTED;
            case io.mallocscope.runtime.malloc.BinKind.SMALLBIN -> SMALLBIN;
            default -> LARGEBIN;
        };
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
