package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.vm.AddressSpace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.mallocscope.runtime.malloc.MallocState.*;

/**
 * A read-only look at the allocator's state, decoded from simulated memory: the arena and {@code mp_}
 * parameters, the chunk walk of the heap, every non-empty bin, {@code mallinfo2}. Nothing here writes
 * memory or prints; every walk is bounded, and a list that does not end, leaves mapped memory or
 * points somewhere impossible is cut short: a bin so cut is flagged {@link Bin#corrupt()}, a chunk walk
 * so cut reports why in {@link #chunkWalkProblem()}. A view is computed when it is made
 * ({@link #of(Malloc)}); make a new one after the heap changes.
 *
 * <p>Besides the state, the view answers the release-dependent questions a viewer would otherwise
 * hard-code: where the arena and each bin's pseudo-chunk are ({@link #mainArena()}, {@link #binAt(int)}),
 * which sizes a bin holds ({@link #binIndexOf(int, long)}, {@link #binLowestSize(int, int)},
 * {@link #binHighestSize(int, int)}) and how a stored tcache/fastbin link decodes
 * ({@link #revealPointer(long, long)}).
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
     * tcache bins, otherwise the number of chunks walked. {@code corrupt}: the walk stopped at a link it
     * would not follow (unaligned, unmapped, null in a circular list, or a repeat), which is
     * {@code badLink}, decoded as the list stores it (tcache: a user pointer; other bins: a chunk
     * address); {@code badLink} is 0 when the bin is not corrupt.
     */
    public record Bin(int kind, int index, long chunkSize, List<Long> chunks, long count, boolean corrupt,
                      long badLink) {
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

    /** The largest chunk size a size word can hold: what {@link #binHighestSize} gives for unbounded bins. */
    public static final long UNBOUNDED_SIZE = 0xfffffffffffffff0L;

    private final Malloc m;
    private final AddressSpace mem;
    private final GlibcProfile profile;
    private final ArenaLayout arena;
    private final List<Bin> bins = new ArrayList<>();
    private final Map<Long, State> freeState = new HashMap<>();
    private boolean corrupt;
    private List<Chunk> chunks;
    private String chunkWalkProblem;

    // the process's addresses of malloc's globals (see Malloc), shadowing MallocState's classic ones
    private final long MAIN_ARENA;
    /** The arena this view shows (main_arena unless made with {@link #of(Malloc, long, long)}). */
    private final long av;
    /** Where the shown thread's {@code tcache} pointer is (its TLS), or 0 for no tcache. */
    private final long tcacheVar;
    private final long MP;
    private final long GLOBAL_MAX_FAST;
    private final long PERTURB_BYTE;
    private final long MALLOC_INITIALIZED;
    private final long TCACHE_PTR;

    HeapView(Malloc m) {
        this(m, m.MAIN_ARENA, m.TCACHE_PTR);
    }

    private HeapView(Malloc m, long arenaAddress, long tcacheVar) {
        this.m = m;
        this.mem = m.mem;
        this.profile = m.profile;
        this.arena = m.arena;
        MAIN_ARENA = m.MAIN_ARENA;
        this.av = arenaAddress;
        this.tcacheVar = tcacheVar;
        MP = m.MP;
        GLOBAL_MAX_FAST = m.GLOBAL_MAX_FAST;
        PERTURB_BYTE = m.PERTURB_BYTE;
        MALLOC_INITIALIZED = m.MALLOC_INITIALIZED;
        TCACHE_PTR = m.TCACHE_PTR;
        collectBins();
    }

    /** The view of {@code malloc}'s current state: main_arena, with the main thread's tcache. */
    public static HeapView of(Malloc malloc) {
        return new HeapView(malloc);
    }

    /**
     * The view of one arena ({@code arenaAddress}, e.g. an {@link Arena#address()} of {@link #arenas()})
     * with the tcache of the thread whose thread pointer is {@code threadPointer} ({@link ThreadInfo#threadPointer()};
     * 0: no tcache bins). For a non-main arena the chunk walk covers its heaps oldest first, each from
     * its first chunk to its fenceposts, the last to top; bins, top, system_mem and mallinfo2 are the arena's.
     */
    public static HeapView of(Malloc malloc, long arenaAddress, long threadPointer) {
        return new HeapView(malloc, arenaAddress, threadPointer == 0 ? 0 : threadPointer + TCACHE_OFF);
    }

    /** The arena this view shows. */
    public long arena() {
        return av;
    }

    /** Whether this view shows main_arena. */
    public boolean isMainArena() {
        return av == MAIN_ARENA;
    }

    // ---------------------------------------------------------------- arenas and threads

    /**
     * One heap of a non-main arena, as its {@code heap_info} says: {@code arPtr} its arena,
     * {@code prev} the arena's previous heap (0 for the first), {@code size} the part in use,
     * {@code mprotectSize} the part made read-write (the rest of the 64 MiB stays PROT_NONE),
     * {@code pagesize} (glibc 2.35 and later; 0 before). {@code address} is {@code heap_for_ptr}
     * of its chunks.
     */
    public record HeapInfo(long address, long arPtr, long prev, long size, long mprotectSize, long pagesize) {
        /** The end of the part in use: the first address past its last chunk. */
        public long end() {
            return address + size;
        }
    }

    /**
     * One arena. {@code number} is its place in {@code main_arena.next}'s list, as malloc_stats and
     * malloc_info number them: 0 is main_arena, 1 the newest arena, and so on. {@code heaps} are a
     * non-main arena's heaps oldest first (empty for main_arena); {@code onFreeList}: it is on arena.c's
     * {@code free_list} (no thread attached, ready for the next thread).
     */
    public record Arena(int number, long address, boolean main, long top, long topSize, long systemMem,
                        long maxSystemMem, long next, long nextFree, long attachedThreads, boolean onFreeList,
                        List<HeapInfo> heaps) {
    }

    /**
     * A thread malloc has seen run: its thread pointer ({@code pthread_self()}), its {@code thread_arena}
     * (0 before its first call that needs one) and its {@code tcache} (0 before it has one).
     */
    public record ThreadInfo(long threadPointer, long arena, long tcache) {
    }

    /**
     * Every arena, main_arena first, then in the order of {@code main_arena.next} (the newest arena first),
     * as malloc_stats lists them. A list that does not come back to main_arena within {@code narenas}
     * steps, or leaves mapped memory, ends there. Empty before malloc is initialised.
     */
    public List<Arena> arenas() {
        List<Arena> out = new ArrayList<>();
        if (!initialized()) {
            return out;
        }
        java.util.Set<Long> free = new java.util.HashSet<>(freeList());
        long a = MAIN_ARENA;
        int n = 0;
        do {
            long top = read64(a + arena.top);
            out.add(new Arena(n++, a, a == MAIN_ARENA, top, readable(top) ? read64(top + 8) & ~SIZE_BITS : 0,
                    read64(a + arena.systemMem), read64(a + arena.maxSystemMem), read64(a + arena.next),
                    read64(a + arena.nextFree), read64(a + arena.attachedThreads), free.contains(a),
                    a == MAIN_ARENA ? List.of() : heapsOf(a)));
            a = read64(a + arena.next);
        } while (a != MAIN_ARENA && n <= m.arenas.narenas() + 1 && readable(a));
        return out;
    }

    /** arena.c's {@code free_list}: arenas no thread is attached to, the next one to be reused first. */
    public List<Long> freeList() {
        List<Long> out = new ArrayList<>();
        for (long a = read64(m.arenas.freeListAddress()); a != 0 && readable(a) && out.size() <= m.arenas.narenas();
             a = read64(a + arena.nextFree)) {
            out.add(a);
        }
        return out;
    }

    /**
     * The heaps of the non-main arena at {@code arenaAddress}, oldest first: from the heap of its top
     * back through {@code heap_info->prev}. Empty for main_arena.
     */
    public List<HeapInfo> heapsOf(long arenaAddress) {
        if (arenaAddress == MAIN_ARENA) {
            return List.of();
        }
        List<HeapInfo> out = new ArrayList<>();
        long h = Arenas.heapForPtr(read64(arenaAddress + arena.top));
        while (h != 0 && readable(h) && out.size() < 1024) {
            out.add(0, new HeapInfo(h, read64(h + Arenas.H_AR_PTR), read64(h + Arenas.H_PREV),
                    read64(h + Arenas.H_SIZE), read64(h + Arenas.H_MPROTECT_SIZE),
                    m.arenas.heapInfoSize > Arenas.H_PAGESIZE ? read64(h + Arenas.H_PAGESIZE) : 0));
            h = read64(h + Arenas.H_PREV);
        }
        return out;
    }

    /** sizeof (heap_info) in this release: 0x20 up to 2.34, 0x30 from 2.35. */
    public long heapInfoSize() {
        return m.arenas.heapInfoSize;
    }

    /**
     * The threads malloc has seen run (switched to) and that have not exited, the main thread first,
     * each with its arena and tcache.
     */
    public List<ThreadInfo> threads() {
        List<ThreadInfo> out = new ArrayList<>();
        for (long tp : m.liveThreads()) {
            out.add(new ThreadInfo(tp, read64(tp + THREAD_ARENA_OFF), read64(tp + TCACHE_OFF)));
        }
        return out;
    }

    // ---------------------------------------------------------------- scalars

    /** Whether malloc has been initialised (any malloc-family call has run). */
    public boolean initialized() {
        return read32(MALLOC_INITIALIZED) != 0;
    }

    /** Address of {@code main_arena} in libc's data (the same in every modelled release). */
    public long mainArena() {
        return MAIN_ARENA;
    }

    /**
     * The address of glibc's {@code bin_at(av, index)} for the main arena: the pseudo-chunk whose fd
     * and bk words are the bin's head and tail, and the value a chunk's fd or bk holds when it is the
     * last or first chunk of that bin. Index 1 is the unsorted bin, 2..63 small, 64..126 large. It
     * depends on the release's struct malloc_state: the unsorted bin is main_arena+0x58 on 2.23,
     * main_arena+0x60 on 2.27–2.41 and main_arena+0x8 on 2.43 (no fastbinsY).
     *
     * @throws IllegalArgumentException for an index outside 1..127
     */
    public long binAt(int index) {
        if (index < 1 || index >= NBINS) {
            throw new IllegalArgumentException("bin index " + index + " is not in 1.." + (NBINS - 1));
        }
        return arena.binAt(av, index);
    }

    /**
     * The address of {@code main_arena.fastbinsY[index]}, the head of fastbin {@code index} (0..9).
     *
     * @throws IllegalArgumentException for an index outside 0..9, or on a release without fastbins (2.43)
     */
    public long fastbinSlot(int index) {
        if (!profile.hasFastbins || index < 0 || index >= NFASTBINS) {
            throw new IllegalArgumentException(profile.hasFastbins
                    ? "fastbin index " + index + " is not in 0.." + (NFASTBINS - 1)
                    : "glibc " + profile.version + " has no fastbins");
        }
        return arena.fastbinAddr(av, index);
    }

    /**
     * Where the heap starts (mp_.sbrk_base; the tcache chunk normally sits here); 0 before the first heap.
     * For a non-main arena: its first heap's first chunk, right after the arena.
     */
    public long heapStart() {
        if (av != MAIN_ARENA) {
            return firstChunkOfArena(av);
        }
        return read64(MP + MP_SBRK_BASE);
    }

    /** The first chunk of a non-main arena's first heap: past the arena struct, aligned as _int_new_arena aligns it. */
    private long firstChunkOfArena(long a) {
        long ptr = a + arena.size;
        long misalign = (ptr + CHUNK_HDR_SZ) & MALLOC_ALIGN_MASK;
        return misalign > 0 ? ptr + MALLOC_ALIGNMENT - misalign : ptr;
    }

    public long top() {
        return read64(av + arena.top);
    }

    public long topSize() {
        return read64(top() + 8) & ~SIZE_BITS;
    }

    public long lastRemainder() {
        return read64(av + arena.lastRemainder);
    }

    public long systemMem() {
        return read64(av + arena.systemMem);
    }

    public long maxSystemMem() {
        return read64(av + arena.maxSystemMem);
    }

    /**
     * have_fastchunks: the int of 2.27–2.41, the inverted FASTCHUNKS_BIT of {@code flags} in 2.23;
     * always false in 2.43, which has no fastbins.
     */
    public boolean haveFastchunks() {
        if (arena.haveFastchunks >= 0) {
            return read32(av + arena.haveFastchunks) != 0;
        }
        return profile.hasFastbins && initialized()
                && (read32(av + arena.flags) & ArenaLayout.FASTCHUNKS_BIT) == 0;
    }

    public boolean contiguous() {
        return (read32(av + arena.flags) & NONCONTIGUOUS_BIT) == 0;
    }

    /**
     * The tcache_perthread_struct's address (mem of the chunk at the heap start: 0x290, 0x250 in 2.27;
     * 2.43 makes its 0x300/0x310 chunk lazily), or 0 while there is none (always in 2.23).
     */
    public long tcache() {
        return tcacheVar == 0 ? 0 : read64(tcacheVar);
    }

    /** The binmap word {@code block} (0..3). */
    public int binmap(int block) {
        return read32(av + arena.binmap + 4L * block);
    }

    /**
     * The name of malloc's global that holds the byte at {@code address}, as malloc.c spells it:
     * {@code main_arena.top}, {@code main_arena.bins[3]}, {@code main_arena.fastbinsY[0]},
     * {@code mp_.sbrk_base}, {@code global_max_fast}, {@code tcache} (the thread's pointer); empty for
     * any other address. For narrating writes into the allocator's own structures.
     */
    public Optional<String> globalName(long address) {
        long a = address;
        if (a >= MAIN_ARENA && a < MAIN_ARENA + arena.size) {
            int o = (int) (a - MAIN_ARENA);
            String f;
            if (o < arena.flags) {
                f = "mutex";
            } else if (o < arena.flags + 4) {
                f = "flags";
            } else if (arena.haveFastchunks >= 0 && o < arena.haveFastchunks + 8 && o >= arena.haveFastchunks) {
                f = "have_fastchunks";
            } else if (arena.fastbinsY >= 0 && o >= arena.fastbinsY && o < arena.top) {
                f = "fastbinsY[" + (o - arena.fastbinsY) / 8 + "]";
            } else if (o >= arena.top && o < arena.lastRemainder) {
                f = "top";
            } else if (o >= arena.lastRemainder && o < arena.bins) {
                f = "last_remainder";
            } else if (o >= arena.bins && o < arena.binmap) {
                f = "bins[" + (o - arena.bins) / 8 + "]";
            } else if (o >= arena.binmap && o < arena.next) {
                f = "binmap[" + (o - arena.binmap) / 4 + "]";
            } else if (o >= arena.next && o < arena.nextFree) {
                f = "next";
            } else if (o >= arena.nextFree && o < arena.attachedThreads) {
                f = "next_free";
            } else if (o >= arena.attachedThreads && o < arena.systemMem) {
                f = "attached_threads";
            } else if (o >= arena.systemMem && o < arena.maxSystemMem) {
                f = "system_mem";
            } else if (o >= arena.maxSystemMem) {
                f = "max_system_mem";
            } else {
                f = "+0x" + Integer.toHexString(o);
            }
            return Optional.of("main_arena." + f);
        }
        if (a >= MP && a < MP + MP_TCACHE_UNSORTED_LIMIT + 8) {
            int o = (int) (a - MP);
            String[] names = {"trim_threshold", "top_pad", "mmap_threshold", "arena_test", "arena_max",
                    "thp_pagesize", "hp_pagesize"};
            String f;
            if (o < MP_HP_FLAGS) {
                f = names[o / 8];
            } else if (o < MP_N_MMAPS) {
                f = "hp_flags";
            } else if (o < MP_N_MMAPS_MAX) {
                f = "n_mmaps";
            } else if (o < MP_MAX_N_MMAPS) {
                f = "n_mmaps_max";
            } else if (o < MP_NO_DYN_THRESHOLD) {
                f = "max_n_mmaps";
            } else if (o < MP_MMAPPED_MEM) {
                f = "no_dyn_threshold";
            } else {
                String[] rest = {"mmapped_mem", "max_mmapped_mem", "sbrk_base", "tcache_bins", "tcache_max_bytes",
                        "tcache_count", "tcache_unsorted_limit"};
                f = rest[(o - MP_MMAPPED_MEM) / 8];
            }
            return Optional.of("mp_." + f);
        }
        if (a >= GLOBAL_MAX_FAST && a < GLOBAL_MAX_FAST + 8) {
            return Optional.of("global_max_fast");
        }
        if (a >= PERTURB_BYTE && a < PERTURB_BYTE + 4) {
            return Optional.of("perturb_byte");
        }
        if (a >= MALLOC_INITIALIZED && a < MALLOC_INITIALIZED + 4) {
            return Optional.of("__malloc_initialized");
        }
        if (a >= TCACHE_PTR && a < TCACHE_PTR + 8) {
            return Optional.of("tcache");
        }
        if (a >= m.TCACHE_KEY && a < m.TCACHE_KEY + 8) {
            return Optional.of("tcache_key");
        }
        if (a >= m.TCACHE_SHUTTING_DOWN && a < m.TCACHE_SHUTTING_DOWN + 8) {
            return Optional.of("tcache_shutting_down");
        }
        // arena.c's globals right after tcache_key (see Arenas), and the thread's arena pointer below tcache
        String[] arenaGlobals = {"free_list", "narenas", "narenas_limit", "next_to_use", "aligned_heap_area"};
        long first = m.TCACHE_KEY + 0x10;
        if (a >= first && a < first + 8L * arenaGlobals.length) {
            return Optional.of(arenaGlobals[(int) ((a - first) / 8)]);
        }
        if (a >= TCACHE_PTR - 8 && a < TCACHE_PTR) {
            return Optional.of("thread_arena");
        }
        return Optional.empty();
    }

    public Params params() {
        return new Params(read64(MP + MP_TRIM_THRESHOLD), read64(MP + MP_TOP_PAD), read64(MP + MP_MMAP_THRESHOLD),
                read64(MP + MP_ARENA_TEST), read64(MP + MP_ARENA_MAX), read32(MP + MP_N_MMAPS),
                read32(MP + MP_N_MMAPS_MAX), read32(MP + MP_MAX_N_MMAPS), read32(MP + MP_NO_DYN_THRESHOLD) != 0,
                read64(MP + MP_MMAPPED_MEM), read64(MP + MP_MAX_MMAPPED_MEM), read64(MP + MP_SBRK_BASE),
                read64(MP + MP_TCACHE_BINS), read64(MP + MP_TCACHE_MAX_BYTES), read64(MP + MP_TCACHE_COUNT),
                read64(MP + MP_TCACHE_UNSORTED_LIMIT), read64(GLOBAL_MAX_FAST), read32(PERTURB_BYTE));
    }

    /**
     * Whether any walk was cut short because memory looks corrupted: the chunk walk, or the walk of
     * any bin (a poisoned tcache or fastbin link makes this true although the chunks themselves are
     * intact). To tell the two apart use {@link #chunkWalkProblem()} for the heap's chunks and
     * {@link Bin#corrupt()} for each list.
     */
    public boolean corrupt() {
        chunks();
        return corrupt;
    }

    /**
     * Why the chunk walk ({@link #chunks()}) stopped before reaching top, e.g. "chunk 0x…: size 0x… is
     * not a valid chunk size"; empty when it walked every segment to top or its fenceposts. A
     * corrupted free list does not count here: see {@link Bin#corrupt()}.
     */
    public Optional<String> chunkWalkProblem() {
        chunks();
        return Optional.ofNullable(chunkWalkProblem);
    }

    /** Whether the chunk walk reached top (or the fenceposts of every segment): {@link #chunkWalkProblem()} is empty. */
    public boolean chunkWalkComplete() {
        return chunkWalkProblem().isEmpty();
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
                long badLink = 0;
                while (e != 0) {
                    if ((e & MALLOC_ALIGN_MASK) != 0 || list.size() > (count & 0xffff) + 64 || !readable(e)
                            || !seen.add(e)) {
                        bad = true;
                        badLink = e;
                        break;
                    }
                    list.add(e - CHUNK_HDR_SZ);
                    freeState.putIfAbsent(e - CHUNK_HDR_SZ, State.TCACHE);
                    e = reveal(e);
                }
                corrupt |= bad;
                // 2.43's large tcache bins (64..75) hold 0x420..0x7f0, 0x800..0xff0, …: the lowest size is shown
                long binSize = binLowestSize(BinKind.TCACHE, i);
                bins.add(new Bin(BinKind.TCACHE, i, binSize, List.copyOf(list), count, bad, badLink));
            }
        }
        for (int i = 0; profile.hasFastbins && i < NFASTBINS; i++) {
            long p = read64(arena.fastbinAddr(av, i));
            if (p == 0) {
                continue;
            }
            java.util.Set<Long> seen = new java.util.HashSet<>();
            List<Long> list = new ArrayList<>();
            boolean bad = false;
            long badLink = 0;
            while (p != 0) {
                if ((p & MALLOC_ALIGN_MASK) != 0 || list.size() > MAX_WALK || !readable(p) || !seen.add(p)) {
                    bad = true;
                    badLink = p;
                    break;
                }
                list.add(p);
                freeState.putIfAbsent(p, State.FASTBIN);
                p = reveal(p + 16);
            }
            corrupt |= bad;
            bins.add(new Bin(BinKind.FASTBIN, i, MINSIZE + 16L * i, List.copyOf(list), list.size(), bad, badLink));
        }
        for (int i = 1; i < NBINS; i++) {
            long bin = arena.binAt(av, i);
            long p = read64(bin + 16);
            if (p == bin) {
                continue;
            }
            java.util.Set<Long> seen = new java.util.HashSet<>();
            List<Long> list = new ArrayList<>();
            boolean bad = false;
            long badLink = 0;
            State st = i == 1 ? State.UNSORTED : i < NSMALLBINS ? State.SMALLBIN : State.LARGEBIN;
            while (p != bin) {
                if (p == 0 || list.size() > MAX_WALK || !readable(p) || !seen.add(p)) {
                    bad = true;
                    badLink = p;
                    break;
                }
                list.add(p);
                freeState.putIfAbsent(p, st);
                p = read64(p + 16);
            }
            corrupt |= bad;
            int kind = i == 1 ? BinKind.UNSORTED : i < NSMALLBINS ? BinKind.SMALLBIN : BinKind.LARGEBIN;
            bins.add(new Bin(kind, i, i == 1 ? 0 : binLowestSize(kind, i), List.copyOf(list), list.size(), bad,
                    badLink));
        }
    }

    // ---------------------------------------------------------------- bin geometry

    /**
     * glibc's index of the bin of {@code kind} (a {@link BinKind} constant) that holds chunks of
     * {@code chunkSize}, or -1 if no bin of that kind in this release holds it. Tcache and fastbin:
     * {@code csize2tidx}/{@code fastbin_index} (tcache bins 0..63 for 0x20..0x410; 2.43 adds 64..75 for
     * 0x420..0x3ffff0; fastbins 0..9 for 0x20..0xb0, none in 2.43); unsorted: 1; small: {@code size>>4}
     * for 0x20..0x3f0; large: {@code largebin_index_64} for 0x400 and up. A size that is not a chunk size
     * (below 0x20 or not a multiple of 0x10) gives -1. Whether a chunk of the size actually goes there
     * (tcache_max, global_max_fast) is a question of parameters, not geometry, and not checked here.
     */
    public int binIndexOf(int kind, long chunkSize) {
        if (Long.compareUnsigned(chunkSize, MINSIZE) < 0 || (chunkSize & MALLOC_ALIGN_MASK) != 0) {
            return -1;
        }
        switch (kind) {
            case BinKind.TCACHE:
                if (chunkSize < MINSIZE + MALLOC_ALIGNMENT * TCACHE_MAX_BINS) {
                    int i = (int) csize2tidx(chunkSize);
                    return i < Math.min(profile.tcacheMaxBins, TCACHE_MAX_BINS) ? i : -1;
                }
                if (profile.tcacheMaxBins > TCACHE_MAX_BINS && chunkSize >= MIN_LARGE_SIZE + 0x20) {
                    int i = TCACHE_MAX_BINS + (64 - Long.numberOfLeadingZeros(chunkSize)) - 11;
                    return i < profile.tcacheMaxBins ? i : -1;
                }
                return -1;
            case BinKind.FASTBIN:
                // the whole size: a fastbin holds no chunk of 0x100000020, though malloc's check on the low 32 bits passes it
                return profile.hasFastbins && (chunkSize >>> 4) - 2 < NFASTBINS ? fastbinIndex(chunkSize) : -1;
            case BinKind.UNSORTED:
                return 1;
            case BinKind.SMALLBIN:
                return inSmallbinRange(chunkSize) ? smallbinIndex(chunkSize) : -1;
            case BinKind.LARGEBIN:
                return inSmallbinRange(chunkSize) ? -1 : largebinIndex(chunkSize);
            default:
                throw new IllegalArgumentException("unknown bin kind " + kind + " (use BinKind's constants)");
        }
    }

    /**
     * The smallest chunk size bin {@code index} of {@code kind} holds (the unsorted bin: 0x20).
     *
     * @throws IllegalArgumentException for an index no bin of that kind has in this release
     */
    public long binLowestSize(int kind, int index) {
        checkBin(kind, index);
        return switch (kind) {
            case BinKind.TCACHE -> index < TCACHE_MAX_BINS ? MINSIZE + 16L * index
                    : index == TCACHE_MAX_BINS ? MIN_LARGE_SIZE + 0x20 : MIN_LARGE_SIZE << (index - TCACHE_MAX_BINS);
            case BinKind.FASTBIN -> MINSIZE + 16L * index;
            case BinKind.UNSORTED -> MINSIZE;
            case BinKind.SMALLBIN -> 16L * index;
            default -> largeBinLowestSize(index);
        };
    }

    /**
     * The largest chunk size bin {@code index} of {@code kind} holds; {@link #UNBOUNDED_SIZE} for the
     * unsorted bin and the last large bin (126).
     *
     * @throws IllegalArgumentException for an index no bin of that kind has in this release
     */
    public long binHighestSize(int kind, int index) {
        checkBin(kind, index);
        return switch (kind) {
            case BinKind.TCACHE -> index < TCACHE_MAX_BINS ? MINSIZE + 16L * index
                    : (MIN_LARGE_SIZE << (index - TCACHE_MAX_BINS + 1)) - MALLOC_ALIGNMENT;
            case BinKind.FASTBIN -> MINSIZE + 16L * index;
            case BinKind.UNSORTED -> UNBOUNDED_SIZE;
            case BinKind.SMALLBIN -> 16L * index;
            default -> largeBinHighestSize(index);
        };
    }

    /**
     * The smallest chunk size large bin {@code index} (64..126) holds: x86_64's
     * {@code largebin_index_64}, the same in every release.
     *
     * @throws IllegalArgumentException for an index that is not a large bin's
     */
    public static long largeBinLowestSize(int index) {
        checkLargeBin(index);
        return largeBinLow(index);
    }

    /** The largest chunk size large bin {@code index} holds; {@link #UNBOUNDED_SIZE} for the last (126). */
    public static long largeBinHighestSize(int index) {
        checkLargeBin(index);
        return index == NBINS - 2 ? UNBOUNDED_SIZE : largeBinLow(index + 1) - MALLOC_ALIGNMENT;
    }

    private static void checkLargeBin(int index) {
        if (index < NSMALLBINS || index >= NBINS - 1) {
            throw new IllegalArgumentException("no large bin " + index + " (they are " + NSMALLBINS + ".." + (NBINS - 2)
                    + ")");
        }
    }

    private void checkBin(int kind, int index) {
        boolean ok = switch (kind) {
            case BinKind.TCACHE -> index >= 0 && index < profile.tcacheMaxBins;
            case BinKind.FASTBIN -> profile.hasFastbins && index >= 0 && index < NFASTBINS;
            case BinKind.UNSORTED -> index == 1;
            case BinKind.SMALLBIN -> index >= 2 && index < NSMALLBINS;
            case BinKind.LARGEBIN -> index >= NSMALLBINS && index < NBINS - 1;
            default -> throw new IllegalArgumentException("unknown bin kind " + kind + " (use BinKind's constants)");
        };
        if (!ok) {
            throw new IllegalArgumentException("glibc " + profile.version + " has no " + BinKind.name(kind)
                    + " bin " + index);
        }
    }

    /** The smallest size largebin_index maps to {@code i} (64..126): a binary search, the index only grows. */
    private static long largeBinLow(int i) {
        long lo = MIN_LARGE_SIZE;
        long hi = 1L << 40;
        while (lo < hi) {
            long mid = ((lo + hi) >>> 1) & ~MALLOC_ALIGN_MASK;
            if (largebinIndex(mid) >= i) {
                hi = mid;
            } else {
                lo = mid + MALLOC_ALIGNMENT;
            }
        }
        return lo;
    }

    // ---------------------------------------------------------------- links

    /**
     * REVEAL_PTR: the pointer a tcache {@code next} or fastbin {@code fd} word means, given the word's
     * address and stored value. 2.32+ store {@code (storedAt >> 12) ^ pointer} (safe-linking); 2.23,
     * 2.27 and 2.31 store the pointer itself. Doubly linked bins are never mangled.
     */
    public long revealPointer(long storedAt, long value) {
        return profile.safeLinking ? (storedAt >>> 12) ^ value : value;
    }

    /** PROTECT_PTR: the value glibc would store at {@code storedAt} for {@code pointer} (inverse of {@link #revealPointer}). */
    public long protectPointer(long storedAt, long pointer) {
        return revealPointer(storedAt, pointer);
    }

    // ---------------------------------------------------------------- chunk walk

    /**
     * The chunks of the main heap, from {@link #heapStart()} to the top chunk, in address order. A heap
     * with gaps (a foreign sbrk) continues after the fenceposts at the next segment the allocator
     * started. A walk that meets an impossible size stops there and says why in {@link #chunkWalkProblem()}.
     */
    public List<Chunk> chunks() {
        if (chunks != null) {
            return chunks;
        }
        List<Chunk> out = new ArrayList<>();
        if (av != MAIN_ARENA) {
            chunks = Collections.unmodifiableList(nonMainChunks(out));
            return chunks;
        }
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
                if (!readable(p)) {
                    walkStopped("chunk 0x" + Long.toHexString(p) + " is not in mapped memory");
                    break;
                }
                if (n++ > MAX_WALK) {
                    walkStopped("more than " + MAX_WALK + " chunks before top, at 0x" + Long.toHexString(p));
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
                    walkStopped("chunk 0x" + Long.toHexString(p) + ": size 0x" + Long.toHexString(size)
                            + (size < MINSIZE || (size & MALLOC_ALIGN_MASK) != 0 ? " is not a valid chunk size"
                            : " runs past mapped memory"));
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

    /**
     * A non-main arena's chunks: each heap oldest first, from its first chunk (past the arena in the
     * first heap, past heap_info in the others) to top in the last heap, or to the fenceposts sysmalloc
     * left at the end of an older one (a 0x10 chunk and a size-0 header; not listed past the 0x10 one).
     */
    private List<Chunk> nonMainChunks(List<Chunk> out) {
        long top = top();
        List<HeapInfo> heaps = heapsOf(av);
        for (int i = 0; i < heaps.size(); i++) {
            HeapInfo h = heaps.get(i);
            boolean last = i == heaps.size() - 1;
            long p = h.address() == Arenas.heapForPtr(av) ? firstChunkOfArena(av) : h.address() + heapInfoSize();
            long end = h.end();
            int n = 0;
            while (true) {
                if (!readable(p)) {
                    walkStopped("chunk 0x" + Long.toHexString(p) + " is not in mapped memory");
                    break;
                }
                if (n++ > MAX_WALK) {
                    walkStopped("more than " + MAX_WALK + " chunks before top, at 0x" + Long.toHexString(p));
                    break;
                }
                if (last && p == top) {
                    out.add(chunk(p, State.TOP));
                    break;
                }
                long raw = read64(p + 8);
                long size = raw & ~SIZE_BITS;
                if (!last && size == 0) {
                    break; // the last fencepost of an older heap
                }
                if (size < CHUNK_HDR_SZ || (size & MALLOC_ALIGN_MASK) != 0 || Long.compareUnsigned(p + size, end) > 0) {
                    out.add(chunk(p, State.IN_USE));
                    walkStopped("chunk 0x" + Long.toHexString(p) + ": size 0x" + Long.toHexString(size)
                            + (size < CHUNK_HDR_SZ || (size & MALLOC_ALIGN_MASK) != 0 ? " is not a valid chunk size"
                            : " runs past its heap's end 0x" + Long.toHexString(end)));
                    break;
                }
                out.add(chunk(p, freeState.getOrDefault(p, State.IN_USE)));
                p += size;
                if (p == end) {
                    if (last) {
                        walkStopped("the walk reached the end of heap 0x" + Long.toHexString(h.address())
                                + " without meeting top 0x" + Long.toHexString(top));
                    }
                    break;
                }
            }
        }
        if (heaps.isEmpty()) {
            walkStopped("arena 0x" + Long.toHexString(av) + ": no heap holds its top 0x" + Long.toHexString(top));
        }
        return out;
    }

    private void walkStopped(String why) {
        corrupt = true;
        if (chunkWalkProblem == null) {
            chunkWalkProblem = why;
        }
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
        if (av != MAIN_ARENA) {
            // int_mallinfo of a non-main arena: the mmapped chunks and keepcost belong to main_arena's figures
            return new Mallinfo2(sys, nblocks, nfast, 0, 0, 0, fastavail, sys - avail, avail, 0);
        }
        return new Mallinfo2(sys, nblocks, nfast, read32(MP + MP_N_MMAPS), read64(MP + MP_MMAPPED_MEM), 0, fastavail,
                sys - avail, avail, topSize());
    }

    // ---------------------------------------------------------------- safe reads

    long reveal(long pos) {
        return revealPointer(pos, read64(pos));
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
