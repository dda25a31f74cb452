package io.mallocscope.runtime.malloc;


/**
 * Where the fields of {@code struct malloc_state} sit, from {@code &main_arena}, in one glibc release.
 * Three layouts exist among the modelled releases (checked in malloc.c at each tag):
 * <pre>
 *                    2.23 (to 2.26)   2.27 .. 2.41     2.43
 *   mutex                 0x0            0x0            0x0
 *   flags                 0x4            0x4            0x4
 *   have_fastchunks       (bit 0 of flags, inverted)
 *                                        0x8            (none)
 *   fastbinsY[10]         0x8            0x10           (none)
 *   top                   0x58           0x60           0x8
 *   last_remainder        0x60           0x68           0x10
 *   bins[254]             0x68           0x70           0x18
 *   binmap[4]             0x858          0x860          0x808
 *   next                  0x868          0x870          0x818
 *   next_free             0x870          0x878          0x820
 *   attached_threads      0x878          0x880          0x828
 *   system_mem            0x880          0x888          0x830
 *   max_system_mem        0x888          0x890          0x838
 *   sizeof                0x890          0x898          0x840
 * </pre>
 * The unsorted bin's pseudo-chunk, {@code bin_at(1)} = bins − 0x10, is therefore main_arena+0x58
 * ("main_arena+88") on 2.23, main_arena+0x60 ("main_arena+96") on 2.27–2.41 and main_arena+0x8 on
 * 2.43, whose commit "malloc: Remove fastbin infrastructure" dropped fastbinsY and have_fastchunks.
 */
final class ArenaLayout {
    /** 2.23's FASTCHUNKS_BIT in flags: set when the fastbins hold no chunk. */
    static final int FASTCHUNKS_BIT = 1;

    static final ArenaLayout FLAGS_FASTCHUNKS = new ArenaLayout(-1, 0x8, 0x58);
    static final ArenaLayout HAVE_FASTCHUNKS = new ArenaLayout(0x8, 0x10, 0x60);
    static final ArenaLayout NO_FASTBINS = new ArenaLayout(-1, -1, 0x8);

    /** Where this arena (main_arena) is: the classic address, or where the process's kernel layout put libc. */
    final long base;
    final int flags = 0x4;
    /** Offset of the have_fastchunks int, or -1 (a bit in flags, or no fastbins at all). */
    final int haveFastchunks;
    /** Offset of fastbinsY, or -1 when the release has no fastbins. */
    final int fastbinsY;
    final int top;
    final int lastRemainder;
    final int bins;
    final int binmap;
    final int next;
    final int nextFree;
    final int attachedThreads;
    final int systemMem;
    final int maxSystemMem;
    final int size;

    private ArenaLayout(int haveFastchunks, int fastbinsY, int top) {
        this(haveFastchunks, fastbinsY, top, MallocState.CLASSIC_MAIN_ARENA);
    }

    private ArenaLayout(int haveFastchunks, int fastbinsY, int top, long base) {
        this.base = base;
        this.haveFastchunks = haveFastchunks;
        this.fastbinsY = fastbinsY;
        this.top = top;
        lastRemainder = top + 0x8;
        bins = top + 0x10;
        binmap = bins + 8 * (2 * MallocState.NBINS - 2);
        next = binmap + 4 * MallocState.BINMAPSIZE;
        nextFree = next + 0x8;
        attachedThreads = nextFree + 0x8;
        systemMem = attachedThreads + 0x8;
        maxSystemMem = systemMem + 0x8;
        size = maxSystemMem + 0x8;
    }

    /** The same layout for a main_arena at {@code base}. */
    ArenaLayout relocated(long newBase) {
        return newBase == base ? this : new ArenaLayout(haveFastchunks, fastbinsY, top, newBase);
    }

    /** bin_at(i): the pseudo-chunk whose fd/bk are bins[2(i-1)] and bins[2(i-1)+1]. */
    long binAt(int i) {
        return binAt(base, i);
    }

    /** bin_at(av, i) for the arena at {@code av}. */
    long binAt(long av, int i) {
        return av + bins + (long) (i - 1) * 16 - 16;
    }

    /** &amp;fastbinsY[idx]; only for releases with fastbins. */
    long fastbinAddr(int idx) {
        return fastbinAddr(base, idx);
    }

    /** &amp;av-&gt;fastbinsY[idx]. */
    long fastbinAddr(long av, int idx) {
        if (fastbinsY < 0) {
            throw new IllegalStateException("this glibc has no fastbins");
        }
        return av + fastbinsY + 8L * idx;
    }

    /** The absolute address of the field at {@code offset}. */
    long at(int offset) {
        return base + offset;
    }
}
