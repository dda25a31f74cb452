package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.vm.AddressSpace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.mallocscope.runtime.malloc.MallocState.*;

/**
 * A read-only look at the allocator's state, decoded from simulated memory: the arena and {@code mp_}
 * parameters, the chunk walk of the heap, every non-empty bin, {@code mallinfo2}. Nothing here writes
 * memory or prints; every walk is bounded, and a list that does not end, leaves mapped memory or
 * points somewhere impossible is cut short and flagged {@code corrupt}. A view is computed when it is
 * made ({@link #of(Malloc)}); make a new one after the heap changes.
 */
public final class HeapView {
    /** What a chunk currently is. */
    public enum State { IN_USE, TCACHE, FASTBIN, UNSORTED, SMALLBIN, LARGEBIN, TOP }

    /** One chunk of the heap walk (or one mmapped chunk). */
    public record Chunk(long address, long prevSize, long sizeField, long size, boolean prevInuse, boolean isMmapped,
                        boolean nonMainArena, State state, long fd, long bk, long fdNextsize, long bkNextsize) {
        /** The pointer malloc returned for this chunk (address + 0x10). */
        public long mem() {
            return address + CHUNK_HDR_SZ;
        }
    }

    /**
     * One free list. {@code index} is glibc's: the tcache/fastbin index, or the bin number (1 unsorted,
     * 2..63 small, 64..126 large). {@code chunkSize} is the size the bin holds (large bins: the lowest
     * of the range; unsorted: 0). {@code chunks} are chunk addresses from the head following fd (tcache
     * entries decoded and converted from mem to chunk). {@code count} is the tcache's own count for
     * tcache bins, otherwise the number of chunks walked.
     */
    public record Bin(int kind, int index, long chunkSize, List<Long> chunks, long count, boolean corrupt) {
        public String kindName() {
            return BinKind.name(kind);
        }
    }

    /**
     * The {@code mp_} parameters and the other malloc globals, raw. Up to 2.41 {@code tcacheMaxBytes}
     * is in user bytes (1032) and {@code tcacheBins} counts all bins; in 2.43 they are
     * {@code tcache_max_bytes} (a chunk-size bound, 0x411) and {@code tcache_small_bins}.
     */
    public record Params(long trimThreshold, long topPad, long mmapThreshold, long arenaTest, long arenaMax,
                         int nMmaps, int nMmapsMax, int maxNMmaps, boolean noDynThreshold, long mmappedMem,
                         long maxMmappedMem, long sbrkBase, long tcacheBins, long tcacheMaxBytes, long tcacheCount,
                         long tcacheUnsortedLimit, long globalMaxFast, int perturbByte) {
    }

    private static final int MAX_WALK = 1 << 20;

    private final Malloc m;
    private final AddressSpace mem;
    private final List<Bin> bins = new ArrayList<>();
    private final Map<Long, State> freeState = new HashMap<>();
    private boolean corrupt;
    private List<Chunk> chunks;

    HeapView(Malloc m) {
        this.m = m;
        this.mem = m.mem;
        collectBins();
    }

    /** The view of {@code malloc}'s current state. */
    public static HeapView of(Malloc malloc) {
        return new HeapView(malloc);
    }

    // ---------------------------------------------------------------- scalars

    /** Whether malloc has been initialised (any malloc-family call has run). */
    public boolean initialized() {
        return read32(MALLOC_INITIALIZED) != 0;
    }

    /** Address of {@code main_arena} in libc's data. */
    public long mainArena() {
        return MAIN_ARENA;
    }

    /** Where the heap starts (mp_.sbrk_base; the tcache chunk normally sits here); 0 before the first heap. */
    public long heapStart() {
        return read64(MP + MP_SBRK_BASE);
    }

    public long top() {
        return read64(MAIN_ARENA + AV_TOP);
    }

    public long topSize() {
        return read64(top() + 8) & ~SIZE_BITS;
    }

    public long lastRemainder() {
        return read64(MAIN_ARENA + AV_LAST_REMAINDER);
    }

    public long systemMem() {
        return read64(MAIN_ARENA + AV_SYSTEM_MEM);
    }

    public long maxSystemMem() {
        return read64(MAIN_ARENA + AV_MAX_SYSTEM_MEM);
    }

    public boolean haveFastchunks() {
        return read32(MAIN_ARENA + AV_HAVE_FASTCHUNKS) != 0;
    }

    public boolean contiguous() {
        return (read32(MAIN_ARENA + AV_FLAGS) & NONCONTIGUOUS_BIT) == 0;
    }

    /**
     * The tcache_perthread_struct's address (mem of the chunk at the heap start: 0x290, 0x250 in 2.27;
     * 2.43 makes its 0x300/0x310 chunk lazily), or 0 while there is none (always in 2.23).
     */
    public long tcache() {
        return read64(TCACHE_PTR);
    }

    /** The binmap word {@code block} (0..3). */
    public int binmap(int block) {
        return read32(MAIN_ARENA + AV_BINMAP + 4L * block);
    }

    public Params params() {
        return new Params(read64(MP + MP_TRIM_THRESHOLD), read64(MP + MP_TOP_PAD), read64(MP + MP_MMAP_THRESHOLD),
                read64(MP + MP_ARENA_TEST), read64(MP + MP_ARENA_MAX), read32(MP + MP_N_MMAPS),
                read32(MP + MP_N_MMAPS_MAX), read32(MP + MP_MAX_N_MMAPS), read32(MP + MP_NO_DYN_THRESHOLD) != 0,
                read64(MP + MP_MMAPPED_MEM), read64(MP + MP_MAX_MMAPPED_MEM), read64(MP + MP_SBRK_BASE),
                read64(MP + MP_TCACHE_BINS), read64(MP + MP_TCACHE_MAX_BYTES), read64(MP + MP_TCACHE_COUNT),
                read64(MP + MP_TCACHE_UNSORTED_LIMIT), read64(GLOBAL_MAX_FAST), read32(PERTURB_BYTE));
    }

    /** Whether some walk was cut short because the heap looks corrupted. */
    public boolean corrupt() {
        chunks();
        return corrupt;
    }

    // ---------------------------------------------------------------- bins

    /** Every non-empty bin: tcache bins, fastbins, unsorted, small bins, large bins, in that order. */
    public List<Bin> bins() {
        return Collections.unmodifiableList(bins);
    }

    /** The state a free-list walk gave this chunk address, or null if it is in no list. */
    public State binStateOf(long chunk) {
        return freeState.get(chunk);
    }

    private void collectBins() {
        if (!initialized()) {
            return;
        }
        long tc = tcache();
        if (tc != 0) {
            GlibcProfile pr = m.profile;
            for (int i = 0; i < pr.tcacheMaxBins; i++) {
                int count;
                if (pr.tcacheByteCounts) {
                    count = (byte) read8(tc + i);
                } else if (pr.tcacheSlotsCountDown) {
                    count = (int) (read64(MP + MP_TCACHE_COUNT) - read16(tc + 2L * i));
                } else {
                    count = read16(tc + 2L * i);
                }
                long e = read64(tc + pr.tcacheEntriesOffset + 8L * i);
                if (count == 0 && e == 0) {
                    continue;
                }
                List<Long> list = new ArrayList<>();
                java.util.Set<Long> seen = new java.util.HashSet<>();
                boolean bad = false;
                while (e != 0) {
                    if ((e & MALLOC_ALIGN_MASK) != 0 || list.size() > (count & 0xffff) + 64 || !readable(e)
                            || !seen.add(e)) {
                        bad = true;
                        break;
                    }
                    list.add(e - CHUNK_HDR_SZ);
                    freeState.putIfAbsent(e - CHUNK_HDR_SZ, State.TCACHE);
                    e = reveal(e);
                }
                corrupt |= bad;
                // 2.43's large tcache bins (64..75) hold 0x420..0x7f0, 0x800..0xff0, …: the lowest size is shown
                long binSize = i < TCACHE_MAX_BINS ? MINSIZE + 16L * i
                        : i == TCACHE_MAX_BINS ? MIN_LARGE_SIZE + 0x20 : MIN_LARGE_SIZE << (i - TCACHE_MAX_BINS);
                bins.add(new Bin(BinKind.TCACHE, i, binSize, List.copyOf(list), count, bad));
            }
        }
        for (int i = 0; i < NFASTBINS; i++) {
            long p = read64(fastbinAddr(i));
            if (p == 0) {
                continue;
            }
            java.util.Set<Long> seen = new java.util.HashSet<>();
            List<Long> list = new ArrayList<>();
            boolean bad = false;
            while (p != 0) {
                if ((p & MALLOC_ALIGN_MASK) != 0 || list.size() > MAX_WALK || !readable(p) || !seen.add(p)) {
                    bad = true;
                    break;
                }
                list.add(p);
                freeState.putIfAbsent(p, State.FASTBIN);
                p = reveal(p + 16);
            }
            corrupt |= bad;
            bins.add(new Bin(BinKind.FASTBIN, i, MINSIZE + 16L * i, List.copyOf(list), list.size(), bad));
        }
        for (int i = 1; i < NBINS; i++) {
            long bin = binAt(i);
            long p = read64(bin + 16);
            if (p == bin) {
                continue;
            }
            java.util.Set<Long> seen = new java.util.HashSet<>();
            List<Long> list = new ArrayList<>();
            boolean bad = false;
            State st = i == 1 ? State.UNSORTED : i < NSMALLBINS ? State.SMALLBIN : State.LARGEBIN;
            while (p != bin) {
                if (p == 0 || list.size() > MAX_WALK || !readable(p) || !seen.add(p)) {
                    bad = true;
                    break;
                }
                list.add(p);
                freeState.putIfAbsent(p, st);
                p = read64(p + 16);
            }
            corrupt |= bad;
            int kind = i == 1 ? BinKind.UNSORTED : i < NSMALLBINS ? BinKind.SMALLBIN : BinKind.LARGEBIN;
            bins.add(new Bin(kind, i, i == 1 ? 0 : binLowSize(i), List.copyOf(list), list.size(), bad));
        }
    }

    /** The smallest chunk size bin {@code i} (2..126) holds. */
    static long binLowSize(int i) {
        if (i < NSMALLBINS) {
            return 16L * i;
        }
        for (long s = MIN_LARGE_SIZE; ; s += 16) {
            if (largebinIndex(s) >= i) {
                return s;
            }
        }
    }

    // ---------------------------------------------------------------- chunk walk

    /**
     * The chunks of the main heap, from {@link #heapStart()} to the top chunk, in address order. A heap
     * with gaps (a foreign sbrk) continues after the fenceposts at the next segment the allocator
     * started. A walk that meets an impossible size stops there and marks the view corrupt.
     */
    public List<Chunk> chunks() {
        if (chunks != null) {
            return chunks;
        }
        List<Chunk> out = new ArrayList<>();
        long start = heapStart();
        if (start == 0 || !initialized()) {
            chunks = List.of();
            return chunks;
        }
        long top = top();
        List<Long> segs = new ArrayList<>(m.segments);
        if (segs.isEmpty()) {
            segs.add(start);
        }
        for (int s = 0; s < segs.size(); s++) {
            long p = segs.get(s);
            int n = 0;
            while (true) {
                if (!readable(p) || n++ > MAX_WALK) {
                    corrupt = true;
                    break;
                }
                long raw = read64(p + 8);
                long size = raw & ~SIZE_BITS;
                if (p == top) {
                    out.add(chunk(p, State.TOP));
                    break;
                }
                if (size == CHUNK_HDR_SZ && read64(p + 8 + CHUNK_HDR_SZ) == (CHUNK_HDR_SZ | PREV_INUSE)) {
                    // a fencepost pair ends this segment
                    out.add(chunk(p, State.IN_USE));
                    out.add(chunk(p + CHUNK_HDR_SZ, State.IN_USE));
                    break;
                }
                if (size < MINSIZE || (size & MALLOC_ALIGN_MASK) != 0 || !readable(p + size)) {
                    out.add(chunk(p, State.IN_USE));
                    corrupt = true;
                    break;
                }
                State st = freeState.getOrDefault(p, State.IN_USE);
                out.add(chunk(p, st));
                p += size;
            }
        }
        chunks = Collections.unmodifiableList(out);
        return chunks;
    }

    /** The chunks mmapped by malloc and not yet unmapped, in address order. */
    public List<Chunk> mmappedChunks() {
        List<Chunk> out = new ArrayList<>();
        for (long p : m.mmappedChunks) {
            if (readable(p)) {
                out.add(chunk(p, State.IN_USE));
            }
        }
        return out;
    }

    private Chunk chunk(long p, State st) {
        long raw = read64(p + 8);
        return new Chunk(p, read64(p), raw, raw & ~SIZE_BITS, (raw & PREV_INUSE) != 0, (raw & IS_MMAPPED) != 0,
                (raw & NON_MAIN_ARENA) != 0, st, quiet64(p + 16), quiet64(p + 24), quiet64(p + 32), quiet64(p + 40));
    }

    /** A word that may lie past the end of memory (the link words of a tiny top chunk): 0 then. */
    private long quiet64(long a) {
        try {
            return mem.read64(a);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- mallinfo2

    /** The figures {@code mallinfo2()} would return, computed without side effects. */
    public Mallinfo2 mallinfo2() {
        if (!initialized()) {
            return new Mallinfo2(0, 1, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        long avail = topSize();
        long nblocks = 1;
        long nfast = 0;
        long fastavail = 0;
        for (Bin b : bins) {
            if (b.kind() == BinKind.TCACHE) {
                continue;
            }
            for (long c : b.chunks()) {
                long sz = read64(c + 8) & ~SIZE_BITS;
                if (b.kind() == BinKind.FASTBIN) {
                    nfast++;
                    fastavail += sz;
                } else {
                    nblocks++;
                }
                avail += sz;
            }
        }
        long sys = systemMem();
        return new Mallinfo2(sys, nblocks, nfast, read32(MP + MP_N_MMAPS), read64(MP + MP_MMAPPED_MEM), 0, fastavail,
                sys - avail, avail, topSize());
    }

    // ---------------------------------------------------------------- safe reads

    long reveal(long pos) {
        long v = read64(pos);
        return m.profile.safeLinking ? (pos >>> 12) ^ v : v;
    }

    boolean readable(long a) {
        try {
            mem.checkAccess(a, 16, false);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    long read64(long a) {
        try {
            return mem.read64(a);
        } catch (RuntimeException e) {
            corrupt = true;
            return 0;
        }
    }

    int read32(long a) {
        try {
            return mem.read32(a);
        } catch (RuntimeException e) {
            corrupt = true;
            return 0;
        }
    }

    int read8(long a) {
        try {
            return mem.read8(a);
        } catch (RuntimeException e) {
            corrupt = true;
            return 0;
        }
    }

    int read16(long a) {
        try {
            return mem.read16(a);
        } catch (RuntimeException e) {
            corrupt = true;
            return 0;
        }
    }
}
