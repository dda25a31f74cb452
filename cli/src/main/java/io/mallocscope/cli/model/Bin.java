package io.mallocscope.cli.model;

import java.util.List;

/**
 * One non-empty bin: its kind, its index in glibc's arrays, the chunk size it holds (for a large bin
 * the smallest size it can hold, and {@code maxSize} the largest), the chunks in order from its head
 * following {@code fd} (chunk addresses, not user pointers), and for the tcache the count glibc keeps
 * ({@code -1} for other kinds). {@code corrupt}: the walk stopped at a link that cannot be right
 * (unaligned, unmapped, a loop), so {@code chunks} is only the part before it. {@code head}: the
 * address of the bin's own pseudo-chunk inside {@code main_arena} (glibc's {@code bin_at}), where the
 * last chunk's {@code fd} points back to; 0 for the tcache and fastbins, or when unknown.
 */
public record Bin(BinType type, int index, long chunkSize, long maxSize, List<Long> chunks, int count,
                  boolean corrupt, long head) {
    public Bin {
        chunks = List.copyOf(chunks);
    }

    public static Bin of(BinType type, int index, long chunkSize, List<Long> chunks) {
        return new Bin(type, index, chunkSize, chunkSize, chunks, type == BinType.TCACHE ? chunks.size() : -1, false,
                0);
    }
}
