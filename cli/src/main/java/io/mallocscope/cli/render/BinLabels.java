package io.mallocscope.cli.render;

import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;

/** How bins are named in the views, the way pwndbg names them. */
final class BinLabels {
    /** Offset of {@code bins[]} in glibc 2.36's {@code struct malloc_state}, minus the 0x10 of {@code bin_at}. */
    private static final long BIN_AT_BASE = 0x60;

    private BinLabels() {
    }

    /** "0x20", "all" (unsorted) or "0x400-0x430" (large). */
    static String size(Bin b) {
        return switch (b.type()) {
            case UNSORTED -> "all";
            case LARGEBIN -> Hex.of(b.chunkSize()) + "-" + Hex.of(b.maxSize());
            default -> Hex.of(b.chunkSize());
        };
    }

    /** The bin's head as the chain shows it: {@code 0x7ffff7fa9ce0 (main_arena+96)}. */
    static String head(Bin b, long mainArena) {
        long off = BIN_AT_BASE + (long) (b.index() - 1) * 16;
        String sym = "(main_arena+" + off + ")";
        return mainArena == 0 ? sym : Hex.of(mainArena + off) + " " + sym;
    }

    /** Whether the bin's entries are user pointers (tcache) rather than chunk addresses. */
    static boolean pointsAtMem(BinType t) {
        return t == BinType.TCACHE;
    }
}
