package io.mallocscope.cli.model;

import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.text.Hex;

/**
 * How bins are named in every view, the way pwndbg names them: {@code tcachebins[0x20]},
 * {@code fastbins[0x20]}, {@code unsortedbin}, {@code smallbins[0x90]}, {@code largebins[0x500-0x530]}.
 * The story, diff, vis and the HTML page all name a bin through {@link #name}, so one bin reads the
 * same everywhere.
 */
public final class BinLabels {
    /** glibc 2.27–2.41's offset of {@code bin_at(1)} in {@code main_arena}, for a bin whose head is unknown. */
    private static final long BIN_AT_BASE = 0x60;

    private BinLabels() {
    }

    /** The bin's name: {@code tcachebins[0x20]}, {@code unsortedbin}, {@code largebins[0x500-0x530]}, … */
    public static String name(Bin b) {
        return name(b.type(), b.index(), b.chunkSize());
    }

    /**
     * The name of the bin of {@code type} with glibc index {@code index} (used for the large bins) holding
     * chunks of {@code chunkSize} (used for the others).
     */
    public static String name(BinType type, int index, long chunkSize) {
        return switch (type) {
            case UNSORTED -> type.banner();
            case LARGEBIN -> type.banner() + "[" + largeRange(index) + "]";
            default -> type.banner() + "[" + Hex.of(chunkSize) + "]";
        };
    }

    /**
     * The name of the bin a transition event names by its index: a tcache or fastbin event's chunk may
     * be a fake one whose size word says nothing (tcache_put of a chunk stashed from a forged small-bin
     * list), so the bin's size comes from its index (glibc's tidx2usize, and fastbin_index reversed),
     * not from the chunk; the other kinds as {@link #name(BinType, int, long)}.
     */
    public static String ofEvent(BinType type, int index, long chunkSize) {
        if (type == BinType.TCACHE && index >= 0 && index < 64) {
            return name(type, index, 0x20 + 0x10L * index);
        }
        if (type == BinType.FASTBIN && index >= 0) {
            return name(type, index, 0x20 + 0x10L * index);
        }
        return name(type, index, chunkSize);
    }

    /** "0x20", "all" (unsorted) or "0x400-0x430" (large): the label inside a {@code bins} section. */
    public static String size(Bin b) {
        return switch (b.type()) {
            case UNSORTED -> "all";
            case LARGEBIN -> largeRange(b.index());
            default -> Hex.of(b.chunkSize());
        };
    }

    /** A large bin's sizes from the runtime's geometry ({@code largebin_index_64}); "#N" for no such bin. */
    private static String largeRange(int index) {
        try {
            return Hex.of(HeapView.largeBinLowestSize(index)) + "-" + Hex.of(HeapView.largeBinHighestSize(index));
        } catch (IllegalArgumentException e) {
            return "#" + index;
        }
    }

    /** The bin's head as the chain shows it: {@code 0x7ffff7fa9ce0 (main_arena+96)} (+88 on glibc 2.23). */
    public static String head(Bin b, long mainArena) {
        if (b.head() != 0 && mainArena != 0) {
            long off = b.head() - mainArena;
            // a non-main arena's bins (--arena N) lie in that arena, not in main_arena
            return off >= 0 && off < 0x1000 ? Hex.of(b.head()) + " (main_arena+" + off + ")" : Hex.of(b.head());
        }
        long off = BIN_AT_BASE + (long) (b.index() - 1) * 16;
        String sym = "(main_arena+" + off + ")";
        return mainArena == 0 ? sym : Hex.of(mainArena + off) + " " + sym;
    }

    /** Whether the bin's entries are user pointers (tcache) rather than chunk addresses. */
    public static boolean pointsAtMem(BinType t) {
        return t == BinType.TCACHE;
    }
}
