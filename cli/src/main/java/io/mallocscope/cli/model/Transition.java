package io.mallocscope.cli.model;

/**
 * One thing the allocator did inside a call, as the timeline records it. {@code kind} is the
 * timeline's wire name ({@code tcache_get}, {@code bin_insert}, {@code split}, …); the other fields
 * are used as that kind needs them (see the timeline format): {@code chunk}/{@code size} the chunk
 * concerned, {@code other}/{@code otherSize} a second chunk (split remainder, coalesce neighbour, new
 * top), {@code merged}/{@code mergedSize} a coalesce result, {@code bin}/{@code binIndex} a bin kind
 * (runtime {@code BinKind}) and index, {@code count} a tcache count after the change, {@code reason}
 * a runtime {@code Transitions} reason, {@code text} a message (abort, syscall).
 */
public record Transition(String kind, long chunk, long size, long other, long otherSize, long merged,
                         long mergedSize, int bin, int binIndex, int count, int reason, String text) {

    public static Transition tcache(String kind, long chunk, long size, int index, int countAfter) {
        return new Transition(kind, chunk, size, 0, 0, 0, 0, 0, index, countAfter, -1, null);
    }

    public static Transition bin(String kind, int bin, int index, long chunk, long size, int reason) {
        return new Transition(kind, chunk, size, 0, 0, 0, 0, bin, index, -1, reason, null);
    }

    public static Transition pair(String kind, long chunk, long size, long other, long otherSize) {
        return new Transition(kind, chunk, size, other, otherSize, 0, 0, -1, -1, -1, -1, null);
    }

    public static Transition coalesce(long chunk, long size, long neighbour, long neighbourSize, long merged,
                                      long mergedSize) {
        return new Transition("coalesce", chunk, size, neighbour, neighbourSize, merged, mergedSize, -1, -1, -1, -1,
                null);
    }

    public static Transition text(String kind, String text) {
        return new Transition(kind, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, text);
    }
}
