package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;
import io.mallocscope.runtime.vm.Layout;
import io.mallocscope.runtime.vm.Region;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.mallocscope.runtime.malloc.MallocState.*;

/**
 * glibc's malloc family (ptmalloc2, main arena, one thread) for one simulated process.
 *
 * <p>Every piece of allocator state lives in simulated memory where glibc keeps it: {@code main_arena}
 * and {@code mp_} in libc's data pages, the {@code tcache} pointer in the thread's TLS, chunk headers
 * and bin links in the heap. Each operation reads that state back from memory, so a program that
 * overwrites a size field or a bin pointer changes what the allocator does, exactly as on glibc.
 * The method names mirror malloc.c ({@code intMalloc} is {@code _int_malloc}, and so on) so the two can
 * be read side by side. Integrity-check failures print glibc's message on the process's stderr and
 * throw {@link Abort}.
 */
public final class Malloc {
    final AddressSpace mem;
    final Kernel kernel;
    final GlibcProfile profile;
    /** The release's struct malloc_state layout (profile.arena). */
    final ArenaLayout arena;
    final PrintStream stderr;
    final Tunables tunables;
    /** argv[0] as glibc prints it in classic assertions and 2.23's error banner. */
    String programName = "a.out";
    /** The chunks handed out by mmap and not yet unmapped (glibc does not track them; views do). */
    final TreeSet<Long> mmappedChunks = new TreeSet<>(Long::compareUnsigned);
    /** Where each heap segment begins: the first heap, then each new top after a gap (a cache for views). */
    final List<Long> segments = new ArrayList<>();
    /** tcache_*: the per-thread cache (Tcache.java). */
    final Tcache tcacheFns;
    /** _mid_memalign and _int_memalign (Memalign.java). */
    final Memalign memalignFns;
    /** mallopt, do_set_* and the tunables (Mallopt.java). */
    final Mallopt malloptFns;
    /** int_mallinfo, malloc_stats, malloc_info (MallocStats.java). */
    final MallocStats statsFns;

    // Where this process's libc keeps the allocator's globals. They shadow MallocState's constants
    // (the classic kernel layout's addresses) so that the code reads as malloc.c; another kernel
    // layout (KernelLayout) moves libc's data and the TLS block below libc.
    final long MAIN_ARENA;
    final long MP;
    final long GLOBAL_MAX_FAST;
    final long PERTURB_BYTE;
    final long MALLOC_INITIALIZED;
    final long TCACHE_KEY;
    final long TCACHE_PTR;
    final long TCACHE_SHUTTING_DOWN;

    /**
     * The arena the current operation works on (glibc's {@code av}): main_arena unless a thread's own
     * arena or a chunk's A bit says otherwise. Set by each entry point, as glibc passes {@code av} down.
     */
    long av;
    /** NON_MAIN_ARENA when {@link #av} is not main_arena, else 0: what glibc ORs into allocated heads. */
    long aBit;
    /** The running thread's thread pointer (fs_base); its TLS holds {@code tcache} and {@code thread_arena}. */
    long tp;
    /** !SINGLE_THREAD_P: set for good by the first pthread_create. */
    boolean multipleThreads;
    /** The non-main arenas (arena.c). */
    final Arenas arenas;
    /** The thread pointers of the threads that have run and not exited, main first (for views and checks). */
    private final java.util.LinkedHashSet<Long> liveThreads = new java.util.LinkedHashSet<>();

    private Malloc(Kernel kernel, GlibcProfile profile, Tunables tunables, PrintStream stderr) {
        this.kernel = kernel;
        this.mem = kernel.addressSpace();
        this.profile = profile;
        long data = kernel.layout().libcData() - Layout.LIBC_DATA;
        long tls = kernel.layout().threadPointer() - MallocState.FS_BASE; // the initial thread's TLS moves with it
        MAIN_ARENA = MallocState.CLASSIC_MAIN_ARENA + data;
        MP = MallocState.CLASSIC_MP + data;
        GLOBAL_MAX_FAST = MallocState.CLASSIC_GLOBAL_MAX_FAST + data;
        PERTURB_BYTE = MallocState.CLASSIC_PERTURB_BYTE + data;
        MALLOC_INITIALIZED = MallocState.CLASSIC_MALLOC_INITIALIZED + data;
        TCACHE_KEY = MallocState.CLASSIC_TCACHE_KEY + data;
        TCACHE_PTR = MallocState.CLASSIC_TCACHE_PTR + tls;
        TCACHE_SHUTTING_DOWN = MallocState.CLASSIC_TCACHE_SHUTTING_DOWN + tls;
        av = MAIN_ARENA;
        tp = MallocState.FS_BASE + tls;
        liveThreads.add(tp);
        this.arena = profile.arena.relocated(MAIN_ARENA);
        this.tunables = tunables;
        this.stderr = stderr;
        // after the fields above: the helpers keep the memory and the profile
        this.tcacheFns = new Tcache(this);
        this.memalignFns = new Memalign(this);
        this.malloptFns = new Mallopt(this);
        this.statsFns = new MallocStats(this);
        this.arenas = new Arenas(this, data);
    }

    /**
     * The allocator of a fresh process. Nothing is written to memory until the first call, as in
     * glibc, whose ptmalloc_init runs lazily.
     *
     * @param glibcVersion the profile, e.g. "2.36"
     * @param tunables     GLIBC_TUNABLES syntax (environment spellings such as {@code MALLOC_TOP_PAD_=4096}
     *                     are accepted as items too), or null/empty
     * @param stderr       where glibc's messages (aborts, malloc_stats) go
     * @throws IllegalArgumentException for an unknown or unimplemented version or a malformed tunable
     */
    public static Malloc create(Kernel kernel, String glibcVersion, String tunables, PrintStream stderr) {
        GlibcProfile profile = GlibcProfile.forVersion(glibcVersion);
        Malloc m = new Malloc(kernel, profile, Tunables.parse(tunables, profile), stderr);
        if (profile.tunablesMoveBreak) {
            long copy = Tunables.tunablesEnvLength(tunables);
            if (copy > 0) {
                // ld.so (2.26–2.34) copies the GLIBC_TUNABLES entry with sbrk before main runs
                kernel.sbrk(copy);
            }
        }
        return m;
    }

    /**
     * The allocator of a child of {@code fork}: its state lives in the memory the child got a copy
     * of; the few Java-side records of it (mmapped chunks, heap segments) are copied too.
     */
    public Malloc copyForFork(Kernel childKernel) {
        Malloc m = new Malloc(childKernel, profile, tunables, stderr);
        m.programName = programName;
        m.mmappedChunks.addAll(mmappedChunks);
        m.segments.addAll(segments);
        m.fallbackSize = fallbackSize;
        m.tp = tp; // the forking thread is the child's only thread
        m.liveThreads.clear();
        m.liveThreads.add(tp);
        m.useArena(av);
        m.multipleThreads = multipleThreads;
        m.arenas.cpus = arenas.cpus;
        if (m.initialized()) {
            m.arenas.forkUnlockChild();
        }
        return m;
    }

    /**
     * Makes the thread whose thread pointer (fs_base) is {@code threadPointer} the running one: its TLS
     * holds its {@code tcache} and {@code thread_arena}. The main thread's is where glibc puts it for
     * the initial thread; others are in their stacks. A thread running for the first time is told
     * with {@link #threadStarted} first.
     */
    public void switchThread(long threadPointer) {
        tp = threadPointer;
    }

    /** The thread whose thread pointer is {@code threadPointer} runs for the first time: live until it exits. */
    public void threadStarted(long threadPointer) {
        liveThreads.add(threadPointer);
    }

    /** The thread pointers of the threads that have run and not exited, the main thread first. */
    java.util.Set<Long> liveThreads() {
        return java.util.Collections.unmodifiableSet(liveThreads);
    }

    /** The running thread's thread pointer. */
    public long threadPointer() {
        return tp;
    }

    /** The first pthread_create: from now on each call picks its thread's arena (SINGLE_THREAD_P is false). */
    public void setMultipleThreads() {
        multipleThreads = true;
    }

    /**
     * The malloc part of a thread's exit (__malloc_arena_thread_freeres), run by the exiting thread:
     * tcache_thread_shutdown, then its arena goes on the free list if no thread uses it any more.
     */
    public void threadExit() {
        ptmallocInit();
        arenas.threadFreeres();
        liveThreads.remove(tp);
    }

    /** The machine's CPUs as glibc counts them (8 × CPUs arenas at most, once arena_test is passed). */
    public void setCpuCount(int cpus) {
        if (cpus < 1) {
            throw new IllegalArgumentException("CPU count must be at least 1: " + cpus);
        }
        arenas.cpus = cpus;
    }

    /** The name glibc prints in front of classic assertion messages (before 2.36) and 2.23's error banner. */
    public void setProgramName(String name) {
        this.programName = java.util.Objects.requireNonNull(name);
    }

    /** A read-only view of this allocator's heap, bins and parameters. */
    public HeapView view() {
        return new HeapView(this);
    }

    /** The glibc profile this allocator follows. */
    public GlibcProfile profile() {
        return profile;
    }

    // ================================================================ memory helpers

    long r64(long a) {
        return mem.read64(a);
    }

    void w64(long a, long v) {
        mem.write64(a, v);
    }

    long chunksizeNomask(long p) {
        return mem.read64(p + 8);
    }

    long chunksize(long p) {
        return mem.read64(p + 8) & ~SIZE_BITS;
    }

    long prevSize(long p) {
        return mem.read64(p);
    }

    void setHead(long p, long v) {
        mem.write64(p + 8, v);
    }

    void setHeadSize(long p, long s) {
        mem.write64(p + 8, (mem.read64(p + 8) & SIZE_BITS) | s);
    }

    void setFoot(long p, long s) {
        mem.write64(p + s, s);
    }

    boolean prevInuse(long p) {
        return (mem.read64(p + 8) & PREV_INUSE) != 0;
    }

    boolean inuseBitAtOffset(long p, long s) {
        return (mem.read64(p + s + 8) & PREV_INUSE) != 0;
    }

    void setInuseBitAtOffset(long p, long s) {
        long a = p + s + 8;
        mem.write64(a, mem.read64(a) | PREV_INUSE);
    }

    void clearInuseBitAtOffset(long p, long s) {
        long a = p + s + 8;
        mem.write64(a, mem.read64(a) & ~PREV_INUSE);
    }

    boolean inuse(long p) {
        return inuseBitAtOffset(p, chunksize(p));
    }

    long fd(long p) {
        return mem.read64(p + 16);
    }

    long bk(long p) {
        return mem.read64(p + 24);
    }

    void setFd(long p, long v) {
        mem.write64(p + 16, v);
    }

    void setBk(long p, long v) {
        mem.write64(p + 24, v);
    }

    long fdNextsize(long p) {
        return mem.read64(p + 32);
    }

    long bkNextsize(long p) {
        return mem.read64(p + 40);
    }

    void setFdNextsize(long p, long v) {
        mem.write64(p + 32, v);
    }

    void setBkNextsize(long p, long v) {
        mem.write64(p + 40, v);
    }

    /** PROTECT_PTR / REVEAL_PTR: safe-linking of a pointer stored at {@code pos}. */
    long protectPtr(long pos, long ptr) {
        return profile.safeLinking ? (pos >>> 12) ^ ptr : ptr;
    }

    long revealPtr(long pos) {
        return protectPtr(pos, mem.read64(pos));
    }

    // ---------------------------------------------------------------- arena and mp_ fields

    long top() {
        return r64(av + arena.top);
    }

    void setTop(long p) {
        w64(av + arena.top, p);
    }

    long lastRemainder() {
        return r64(av + arena.lastRemainder);
    }

    long systemMem() {
        return r64(av + arena.systemMem);
    }

    void setSystemMem(long v) {
        w64(av + arena.systemMem, v);
    }

    /** have_fastchunks: an int from 2.27, an inverted bit of flags in 2.23; always false without fastbins. */
    boolean haveFastchunks() {
        if (arena.haveFastchunks >= 0) {
            return mem.read32(av + arena.haveFastchunks) != 0;
        }
        return profile.hasFastbins && (mem.read32(av + arena.flags) & ArenaLayout.FASTCHUNKS_BIT) == 0;
    }

    void setHaveFastchunks(boolean v) {
        if (arena.haveFastchunks >= 0) {
            mem.write32(av + arena.haveFastchunks, v ? 1 : 0);
        } else if (profile.hasFastbins) {
            int flags = mem.read32(av + arena.flags);
            mem.write32(av + arena.flags,
                    v ? flags & ~ArenaLayout.FASTCHUNKS_BIT : flags | ArenaLayout.FASTCHUNKS_BIT);
        }
    }

    /** bin_at(av, i) in this release's arena layout. */
    long binAt(int i) {
        return arena.binAt(av, i);
    }

    /** &amp;fastbinsY[idx] (releases with fastbins only). */
    long fastbinAddr(int idx) {
        return arena.fastbinAddr(av, idx);
    }

    boolean contiguous() {
        return (mem.read32(av + arena.flags) & NONCONTIGUOUS_BIT) == 0;
    }

    void setNoncontiguous() {
        mem.write32(av + arena.flags, mem.read32(av + arena.flags) | NONCONTIGUOUS_BIT);
    }

    long fastbinHead(int idx) {
        return r64(fastbinAddr(idx));
    }

    long globalMaxFast() {
        return r64(GLOBAL_MAX_FAST);
    }

    long mp(int off) {
        return r64(MP + off);
    }

    void setMp(int off, long v) {
        w64(MP + off, v);
    }

    int mpInt(int off) {
        return mem.read32(MP + off);
    }

    void setMpInt(int off, int v) {
        mem.write32(MP + off, v);
    }

    long tcache() {
        return r64(tp + TCACHE_OFF);
    }

    /** Makes {@code a} the arena of the operation under way. */
    void useArena(long a) {
        av = a;
        aBit = a == MAIN_ARENA ? 0 : NON_MAIN_ARENA;
    }

    /** set_non_main_arena when av is not main_arena. */
    void setNonMainArena(long p) {
        if (aBit != 0) {
            mem.write64(p + 8, mem.read64(p + 8) | NON_MAIN_ARENA);
        }
    }

    /** The running thread's {@code thread_arena} (TLS, fs_base-0x58). */
    long threadArena() {
        return r64(tp + THREAD_ARENA_OFF);
    }

    void setThreadArena(long a) {
        w64(tp + THREAD_ARENA_OFF, a);
    }

    int perturbByte() {
        return mem.read32(PERTURB_BYTE);
    }

    // ================================================================ abort

    /** malloc_printerr: the message and a newline on stderr, then SIGABRT. */
    Abort printerr(String message) {
        return printerr(message, 0);
    }

    /**
     * malloc_printerr with the pointer 2.23 names in its banner
     * ({@code *** Error in `PROG': MESSAGE: 0xPTR ***}); later releases print the message alone.
     */
    Abort printerr(String message, long ptr) {
        if (profile.errorBanner) {
            stderr.print("*** Error in `" + programName + "': " + message + ": 0x" + String.format("%016x", ptr)
                    + " ***\n");
        } else {
            stderr.print(message + "\n");
        }
        stderr.flush();
        Transitions.abort(message);
        throw new Abort(message);
    }

    /**
     * The allocator's state kept in Java rather than in simulated memory (everything else lives in the
     * memory a checkpoint copies): the running arena and thread, whether threads were made, the
     * size of the last mmap fallback, the mmapped chunks and heap segments it tracks.
     */
    public record JavaState(long av, long tp, boolean multipleThreads, long fallbackSize, long[] mmappedChunks,
                            long[] segments) {
    }

    /** This allocator's {@link JavaState}, for a checkpoint of a timeline's rebuilt process. */
    public JavaState javaState() {
        return new JavaState(av, tp, multipleThreads, fallbackSize,
                mmappedChunks.stream().mapToLong(Long::longValue).toArray(),
                segments.stream().mapToLong(Long::longValue).toArray());
    }

    /** Puts back a {@link JavaState} taken by {@link #javaState()} (the memory is restored separately). */
    public void restore(JavaState s) {
        useArena(s.av());
        tp = s.tp();
        multipleThreads = s.multipleThreads();
        fallbackSize = s.fallbackSize();
        mmappedChunks.clear();
        for (long c : s.mmappedChunks()) {
            mmappedChunks.add(c);
        }
        segments.clear();
        for (long c : s.segments()) {
            segments.add(c);
        }
    }

    static final int A_SYSMALLOC_TOP = 0;
    static final int A_SYSMALLOC_OLD_SIZE = 1;
    static final int A_BCK_BK = 2;
    static final int A_FWD = 3;
    static final int A_FWD_LOOP = 4;
    static final int A_BIT = 5;
    static final int A_SIZE = 6;
    static final int A_MREMAP = 7;

    /** A failed malloc assertion, in the format of the profile. */
    Abort assertFail(String function, String expr) {
        return assertFail(function, expr, -1);
    }

    /** A failed malloc assertion; {@code which} (A_…) picks the malloc.c line the profile records. */
    Abort assertFail(String function, String expr, int which) {
        int line = which < 0 ? 0 : profile.assertLines[which];
        String msg = switch (profile.assertFormat) {
            case FATAL_IN_FUNCTION -> "Fatal glibc error: malloc assertion failure in " + function + ": " + expr;
            case FATAL_AT_LINE -> "Fatal glibc error: malloc.c:" + line + " (" + function
                    + "): assertion failed: " + expr;
            case CLASSIC -> programName + ": malloc.c:" + line + ": " + function + ": Assertion `" + expr + "' failed.";
        };
        stderr.print(msg + "\n");
        stderr.flush();
        Transitions.abort(msg);
        throw new Abort(msg);
    }

    // ================================================================ initialisation

    boolean initialized() {
        return mem.read32(MALLOC_INITIALIZED) != 0;
    }

    /** ptmalloc_init: the key, the main arena's initial state, then the tunables. */
    void ptmallocInit() {
        if (initialized()) {
            return;
        }
        mem.write32(MALLOC_INITIALIZED, 1);
        w64(TCACHE_KEY, TCACHE_KEY_VALUE);
        // mp_ as its static initialiser leaves it
        setMp(MP_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD);
        setMp(MP_TOP_PAD, DEFAULT_TOP_PAD);
        setMp(MP_MMAP_THRESHOLD, DEFAULT_MMAP_THRESHOLD);
        setMp(MP_ARENA_TEST, 8); // NARENAS_FROM_NCORES(1)
        setMpInt(MP_N_MMAPS_MAX, DEFAULT_MMAP_MAX);
        if (profile.hasTcache) {
            setMp(MP_TCACHE_BINS, TCACHE_MAX_BINS);
            // with large bins tcache_max_bytes means "chunk sizes below this" (0x411), before as user bytes
            setMp(MP_TCACHE_MAX_BYTES, profile.tcacheLargeBins ? tidx2usize(TCACHE_MAX_BINS - 1) + SIZE_SZ + 1
                    : tidx2usize(TCACHE_MAX_BINS - 1));
            setMp(MP_TCACHE_COUNT, profile.tcacheFillCount);
            setMp(MP_TCACHE_UNSORTED_LIMIT, 0);
        }
        mallocInitState(MAIN_ARENA);
        setThreadArena(MAIN_ARENA);
        arenas.init();
        malloptFns.applyTunables();
    }

    /** malloc_init_state for the main arena. */
    /** malloc_init_state(a): empty bins; main_arena stays contiguous and sets max_fast, other arenas are not contiguous. */
    void mallocInitState(long a) {
        long saved = av;
        useArena(a);
        for (int i = 1; i < NBINS; i++) {
            long bin = binAt(i);
            setFd(bin, bin);
            setBk(bin, bin);
        }
        if (a != MAIN_ARENA) {
            setNoncontiguous();
        }
        // the main arena starts contiguous: flags stay 0 (2.23: FASTCHUNKS_BIT, set by setHaveFastchunks(false));
        // 2.43 has no global_max_fast at all (left 0)
        if (a == MAIN_ARENA && profile.hasFastbins) {
            malloptFns.setMaxFast(DEFAULT_MXFAST);
        }
        setHaveFastchunks(false);
        setTop(binAt(1)); // initial_top
        if (a == MAIN_ARENA) {
            w64(MAIN_ARENA + arena.next, MAIN_ARENA);
            w64(MAIN_ARENA + arena.attachedThreads, 1);
        }
        useArena(saved);
    }

    // ================================================================ checked_request2size

    /**
     * checked_request2size's refusal: from 2.30 any request above PTRDIFF_MAX; before, only one whose
     * padded size wraps or comes within 2 * MINSIZE of the top of the address space, so "negative"
     * requests such as malloc(-0x1000) go through (House of Force).
     */
    boolean requestOutOfRange(long bytes) {
        if (profile.ptrdiffMaxLimit) {
            return bytes < 0;
        }
        long sz = request2size(bytes);
        return Long.compareUnsigned(sz, bytes) < 0 || Long.compareUnsigned(sz, -2 * MINSIZE) >= 0;
    }

    // ================================================================ public API: malloc

    /** {@code malloc(bytes)}: a pointer to at least {@code bytes} usable bytes, or NULL (errno ENOMEM). */
    public long malloc(long bytes) {
        ptmallocInit();
        if (requestOutOfRange(bytes)) { // above PTRDIFF_MAX (2.30+), or wrapping (before)
            kernel.setErrno(Kernel.ENOMEM);
            return 0;
        }
        if (!profile.hasTcache) {
            return malloc2(bytes);
        }
        tcacheFns.maybeInitTcache();
        if (profile.tcacheLargeBins) {
            long v = tcacheFns.tcacheLookup(request2size(bytes));
            return v != 0 ? v : malloc2(bytes);
        }
        long tbytes = request2size(bytes);
        long tcIdx = csize2tidx(tbytes);
        long tc = tcache();
        if (tc != 0 && Long.compareUnsigned(tcIdx, mp(MP_TCACHE_BINS)) < 0 && tcacheFns.tcacheNonEmpty(tc, tcIdx)) {
            return tcacheFns.tcacheGet(tcIdx);
        }
        return malloc2(bytes);
    }

    /**
     * malloc's arena part (__libc_malloc2 in 2.43): main_arena while the process has one thread
     * (SINGLE_THREAD_P), else arena_get and one retry in another arena (arena_get_retry).
     */
    long malloc2(long bytes) {
        long a = entryArena(bytes);
        if (a == 0) {
            return 0;
        }
        long victim = intMalloc(bytes);
        if (victim == 0 && multipleThreads) {
            useArena(arenas.arenaGetRetry(a, bytes));
            victim = intMalloc(bytes);
        }
        return victim;
    }

    /** The arena an entry point works in: main_arena while single-threaded, else arena_get(size). */
    long entryArena(long size) {
        long a = multipleThreads ? arenas.arenaGet(size) : MAIN_ARENA;
        useArena(a);
        return a;
    }

    // ================================================================ _int_malloc

    /** _int_malloc(av, bytes) on the main arena: the mem pointer or 0. */
    long intMalloc(long bytes) {
        if (requestOutOfRange(bytes)) {
            kernel.setErrno(Kernel.ENOMEM);
            return 0;
        }
        long nb = request2size(bytes);
        if (av == 0) {
            // no usable arena (arena_get2 failed): sysmalloc can only mmap
            long mm = sysmallocMmap(nb);
            if (mm == MAP_FAILED) {
                kernel.setErrno(Kernel.ENOMEM);
                return 0;
            }
            return mm;
        }
        long tc = tcache();
        long tcIdx = csize2tidx(nb);
        // a lazily made tcache stashes by index alone; it may still be made below (small-bin hit, exact fit)
        boolean tcacheUsable = (tc != 0 || profile.tcacheMadeLazily) && Long.compareUnsigned(tcIdx, mp(MP_TCACHE_BINS)) < 0;

        // ---- fastbins
        if (profile.hasFastbins && Long.compareUnsigned(nb, globalMaxFast()) <= 0) {
            int idx = fastbinIndex(nb);
            long fb = fastbinAddr(idx);
            long victim = r64(fb);
            if (victim != 0) {
                if (profile.alignmentChecks && (victim & MALLOC_ALIGN_MASK) != 0) {
                    throw printerr("malloc(): unaligned fastbin chunk detected 2");
                }
                w64(fb, revealPtr(victim + 16));
                long vsize = chunksize(victim);
                if (fastbinIndexOf(vsize) != idx) {
                    throw printerr("malloc(): memory corruption (fast)", victim + CHUNK_HDR_SZ);
                }
                Transitions.binRemove(BinKind.FASTBIN, idx, victim, vsize, Transitions.EXACT_FIT);
                if (tcacheUsable) {
                    long tcVictim;
                    while (tcacheFns.tcacheHasRoom(tc, tcIdx) && (tcVictim = r64(fb)) != 0) {
                        if (profile.alignmentChecks && (tcVictim & MALLOC_ALIGN_MASK) != 0) {
                            throw printerr("malloc(): unaligned fastbin chunk detected 3");
                        }
                        w64(fb, revealPtr(tcVictim + 16));
                        Transitions.binRemove(BinKind.FASTBIN, idx, tcVictim, chunksize(tcVictim), Transitions.STASH);
                        tcacheFns.tcachePut(tcVictim, tcIdx);
                    }
                }
                long p = victim + CHUNK_HDR_SZ;
                allocPerturb(p, bytes);
                return p;
            }
        }

        // ---- small bins
        int idx;
        if (inSmallbinRange(nb)) {
            idx = smallbinIndex(nb);
            long bin = binAt(idx);
            long victim = bk(bin);
            if (victim != bin) {
                long bck = bk(victim);
                if (fd(bck) != victim) {
                    throw printerr("malloc(): smallbin double linked list corrupted", victim + CHUNK_HDR_SZ);
                }
                setInuseBitAtOffset(victim, nb);
                setNonMainArena(victim);
                setBk(bin, bck);
                setFd(bck, bin);
                Transitions.binRemove(BinKind.SMALLBIN, idx, victim, nb, Transitions.EXACT_FIT);
                if (tcacheUsable && profile.tcacheMadeLazily) {
                    if (tcacheFns.tcacheInactive()) {
                        tcacheFns.tcacheInitLazy(true);
                    }
                    tc = tcache();
                }
                if (tcacheUsable && tc != 0) {
                    long tcVictim;
                    while (tcacheFns.tcacheHasRoom(tc, tcIdx) && (tcVictim = bk(bin)) != bin) {
                        if (tcVictim != 0) {
                            bck = bk(tcVictim);
                            setInuseBitAtOffset(tcVictim, nb);
                            setNonMainArena(tcVictim);
                            setBk(bin, bck);
                            setFd(bck, bin);
                            Transitions.binRemove(BinKind.SMALLBIN, idx, tcVictim, nb, Transitions.STASH);
                            tcacheFns.tcachePut(tcVictim, tcIdx);
                        }
                    }
                }
                long p = victim + CHUNK_HDR_SZ;
                allocPerturb(p, bytes);
                return p;
            }
        } else {
            idx = largebinIndex(nb);
            if (profile.hasFastbins && haveFastchunks()) {
                mallocConsolidate();
            }
        }

        long tcacheNb = tcacheUsable ? nb : 0;
        boolean returnCached = false;
        long tcacheUnsortedCount = 0;
        long unsorted = binAt(1);

        for (;;) {
            int iters = 0;
            long victim;
            while ((victim = bk(unsorted)) != unsorted) {
                long bck = bk(victim);
                long size = chunksize(victim);
                long next = victim + size;
                long sysMem = systemMem();
                if (profile.unsortedChecks) {
                    if (Long.compareUnsigned(size, 2 * SIZE_SZ) <= 0 || Long.compareUnsigned(size, sysMem) > 0) {
                        throw printerr("malloc(): invalid size (unsorted)");
                    }
                    long nextRaw = chunksizeNomask(next);
                    if (Long.compareUnsigned(nextRaw, 2 * SIZE_SZ) < 0 || Long.compareUnsigned(nextRaw, sysMem) > 0) {
                        throw printerr("malloc(): invalid next size (unsorted)");
                    }
                    if ((prevSize(next) & ~SIZE_BITS) != size) {
                        throw printerr("malloc(): mismatching next->prev_size (unsorted)");
                    }
                    if (fd(bck) != victim || fd(victim) != unsorted) {
                        throw printerr("malloc(): unsorted double linked list corrupted");
                    }
                    if (prevInuse(next)) {
                        throw printerr("malloc(): invalid next->prev_inuse (unsorted)");
                    }
                } else {
                    // before 2.29: one test of the raw size word
                    long raw = chunksizeNomask(victim);
                    if (Long.compareUnsigned(raw, 2 * SIZE_SZ) <= 0 || Long.compareUnsigned(raw, sysMem) > 0) {
                        throw printerr("malloc(): memory corruption", victim + CHUNK_HDR_SZ);
                    }
                }

                if (inSmallbinRange(nb) && bck == unsorted && victim == lastRemainder()
                        && Long.compareUnsigned(size, nb + MINSIZE) > 0) {
                    long remainderSize = size - nb;
                    long remainder = victim + nb;
                    Transitions.binRemove(BinKind.UNSORTED, 1, victim, size, Transitions.LAST_REMAINDER);
                    setBk(unsorted, remainder);
                    setFd(unsorted, remainder);
                    w64(av + arena.lastRemainder, remainder);
                    setBk(remainder, unsorted);
                    setFd(remainder, unsorted);
                    if (!inSmallbinRange(remainderSize)) {
                        setFdNextsize(remainder, 0);
                        setBkNextsize(remainder, 0);
                    }
                    setHead(victim, nb | PREV_INUSE | aBit);
                    setHead(remainder, remainderSize | PREV_INUSE);
                    setFoot(remainder, remainderSize);
                    Transitions.split(victim, nb, remainder, remainderSize);
                    Transitions.binInsert(BinKind.UNSORTED, 1, remainder, remainderSize, Transitions.LAST_REMAINDER);
                    long p = victim + CHUNK_HDR_SZ;
                    allocPerturb(p, bytes);
                    return p;
                }

                if (profile.unsortedChecks && fd(bck) != victim) {
                    throw printerr("malloc(): corrupted unsorted chunks 3");
                }
                setBk(unsorted, bck);
                setFd(bck, unsorted);

                if (size == nb) {
                    setInuseBitAtOffset(victim, size);
                    setNonMainArena(victim);
                    if (profile.tcacheMadeLazily) {
                        if (tcacheFns.tcacheInactive()) {
                            tcacheFns.tcacheInitLazy(true);
                        }
                        tc = tcache();
                    }
                    if (tcacheNb != 0 && tc != 0 && tcacheFns.tcacheHasRoom(tc, tcIdx)) {
                        Transitions.binRemove(BinKind.UNSORTED, 1, victim, size, Transitions.STASH);
                        tcacheFns.tcachePut(victim, tcIdx);
                        returnCached = true;
                        continue;
                    }
                    Transitions.binRemove(BinKind.UNSORTED, 1, victim, size, Transitions.EXACT_FIT);
                    long p = victim + CHUNK_HDR_SZ;
                    allocPerturb(p, bytes);
                    return p;
                }
                Transitions.binRemove(BinKind.UNSORTED, 1, victim, size, Transitions.SORT);

                int victimIndex;
                long fwd;
                if (inSmallbinRange(size)) {
                    victimIndex = smallbinIndex(size);
                    bck = binAt(victimIndex);
                    fwd = fd(bck);
                } else {
                    victimIndex = largebinIndex(size);
                    bck = binAt(victimIndex);
                    fwd = fd(bck);
                    if (fwd != bck) {
                        long sizeP = size | PREV_INUSE;
                        if (profile.assertLines[A_BCK_BK] != 0 && (chunksizeNomask(bk(bck)) & NON_MAIN_ARENA) != 0) {
                            throw assertFail("_int_malloc", profile.sizeFieldArenaAsserts
                                    ? "(bck->bk->size & NON_MAIN_ARENA) == 0" : "chunk_main_arena (bck->bk)", A_BCK_BK);
                        }
                        if (Long.compareUnsigned(sizeP, chunksizeNomask(bk(bck))) < 0) {
                            fwd = bck;
                            bck = bk(bck);
                            if (profile.nextsizeCheckOnSmallest && fdNextsize(bkNextsize(fd(fwd))) != fd(fwd)) {
                                throw printerr("malloc(): largebin double linked list corrupted (nextsize)");
                            }
                            setFdNextsize(victim, fd(fwd));
                            setBkNextsize(victim, bkNextsize(fd(fwd)));
                            setBkNextsize(fd(fwd), victim);
                            setFdNextsize(bkNextsize(victim), victim);
                        } else {
                            if (profile.assertLines[A_FWD] != 0 && (chunksizeNomask(fwd) & NON_MAIN_ARENA) != 0) {
                                throw assertFail("_int_malloc", profile.sizeFieldArenaAsserts
                                        ? "(fwd->size & NON_MAIN_ARENA) == 0" : "chunk_main_arena (fwd)", A_FWD);
                            }
                            int guard = 0;
                            while (Long.compareUnsigned(sizeP, chunksizeNomask(fwd)) < 0) {
                                fwd = fdNextsize(fwd);
                                if (profile.assertLines[A_FWD_LOOP] != 0 && (chunksizeNomask(fwd) & NON_MAIN_ARENA) != 0) {
                                    throw assertFail("_int_malloc", profile.sizeFieldArenaAsserts
                                            ? "(fwd->size & NON_MAIN_ARENA) == 0" : "chunk_main_arena (fwd)", A_FWD_LOOP);
                                }
                                if (++guard > LOOP_GUARD) {
                                    throw new IllegalStateException("large bin nextsize ring does not end");
                                }
                            }
                            if (sizeP == chunksizeNomask(fwd)) {
                                fwd = fd(fwd);
                            } else {
                                setFdNextsize(victim, fwd);
                                setBkNextsize(victim, bkNextsize(fwd));
                                if (profile.largebinInsertChecks && fdNextsize(bkNextsize(fwd)) != fwd) {
                                    throw printerr("malloc(): largebin double linked list corrupted (nextsize)");
                                }
                                setBkNextsize(fwd, victim);
                                setFdNextsize(bkNextsize(victim), victim);
                            }
                            bck = bk(fwd);
                            if (profile.largebinInsertChecks && fd(bck) != fwd) {
                                throw printerr("malloc(): largebin double linked list corrupted (bk)");
                            }
                        }
                    } else {
                        setFdNextsize(victim, victim);
                        setBkNextsize(victim, victim);
                    }
                }
                markBin(victimIndex);
                setBk(victim, bck);
                setFd(victim, fwd);
                setBk(fwd, victim);
                setFd(bck, victim);
                Transitions.binInsert(inSmallbinRange(size) ? BinKind.SMALLBIN : BinKind.LARGEBIN, victimIndex,
                        victim, size, Transitions.SORT);

                ++tcacheUnsortedCount;
                if (returnCached && mp(MP_TCACHE_UNSORTED_LIMIT) > 0
                        && Long.compareUnsigned(tcacheUnsortedCount, mp(MP_TCACHE_UNSORTED_LIMIT)) > 0) {
                    return tcacheFns.tcacheGet(tcIdx);
                }
                if (++iters >= MAX_ITERS) {
                    break;
                }
            }

            if (returnCached) {
                return tcacheFns.tcacheGet(tcIdx);
            }

            // ---- large request: best fit in its own bin
            if (!inSmallbinRange(nb)) {
                long bin = binAt(idx);
                victim = fd(bin);
                if (victim != bin && Long.compareUnsigned(chunksizeNomask(victim), nb) >= 0) {
                    victim = bkNextsize(victim);
                    long size;
                    int guard = 0;
                    while (Long.compareUnsigned(size = chunksize(victim), nb) < 0) {
                        victim = bkNextsize(victim);
                        if (++guard > LOOP_GUARD) {
                            throw new IllegalStateException("large bin nextsize ring does not end");
                        }
                    }
                    if (victim != bk(bin) && chunksizeNomask(victim) == chunksizeNomask(fd(victim))) {
                        victim = fd(victim);
                    }
                    long remainderSize = size - nb;
                    unlinkChunk(victim);
                    Transitions.binRemove(BinKind.LARGEBIN, idx, victim, size, Transitions.BEST_FIT);
                    if (Long.compareUnsigned(remainderSize, MINSIZE) < 0) {
                        setInuseBitAtOffset(victim, size);
                        setNonMainArena(victim);
                    } else {
                        long remainder = victim + nb;
                        long bck = unsorted;
                        long fwd = fd(bck);
                        if (bk(fwd) != bck) {
                            throw printerr("malloc(): corrupted unsorted chunks");
                        }
                        setBk(remainder, bck);
                        setFd(remainder, fwd);
                        setFd(bck, remainder);
                        setBk(fwd, remainder);
                        if (!inSmallbinRange(remainderSize)) {
                            setFdNextsize(remainder, 0);
                            setBkNextsize(remainder, 0);
                        }
                        setHead(victim, nb | PREV_INUSE | aBit);
                        setHead(remainder, remainderSize | PREV_INUSE);
                        setFoot(remainder, remainderSize);
                        Transitions.split(victim, nb, remainder, remainderSize);
                        Transitions.binInsert(BinKind.UNSORTED, 1, remainder, remainderSize, Transitions.SPLIT);
                    }
                    long p = victim + CHUNK_HDR_SZ;
                    allocPerturb(p, bytes);
                    return p;
                }
            }

            // ---- binmap scan
            ++idx;
            long bin = binAt(idx);
            int block = idx >>> BINMAPSHIFT;
            long map = binmap(block);
            long bit = 1L << (idx & ((1 << BINMAPSHIFT) - 1));
            boolean useTop = false;
            for (;;) {
                if (bit > map || bit == 0) {
                    do {
                        if (++block >= BINMAPSIZE) {
                            useTop = true;
                            break;
                        }
                    } while ((map = binmap(block)) == 0);
                    if (useTop) {
                        break;
                    }
                    bin = binAt(block << BINMAPSHIFT);
                    bit = 1;
                }
                while ((bit & map) == 0) {
                    bin = bin + 16;
                    bit = (bit << 1) & 0xffffffffL;
                    if (bit == 0) {
                        throw assertFail("_int_malloc", "bit != 0", A_BIT);
                    }
                }
                victim = bk(bin);
                if (victim == bin) {
                    map &= ~bit;
                    mem.write32(av + arena.binmap + 4L * block, (int) map);
                    bin = bin + 16;
                    bit = (bit << 1) & 0xffffffffL;
                } else {
                    long size = chunksize(victim);
                    if (Long.compareUnsigned(size, nb) < 0) {
                        throw assertFail("_int_malloc", "(unsigned long) (size) >= (unsigned long) (nb)", A_SIZE);
                    }
                    long remainderSize = size - nb;
                    int binIdx = (int) ((bin - binAt(1)) / 16) + 1;
                    unlinkChunk(victim);
                    Transitions.binRemove(binIdx < NSMALLBINS ? BinKind.SMALLBIN : BinKind.LARGEBIN, binIdx, victim,
                            size, Transitions.BINMAP);
                    if (Long.compareUnsigned(remainderSize, MINSIZE) < 0) {
                        setInuseBitAtOffset(victim, size);
                        setNonMainArena(victim);
                    } else {
                        long remainder = victim + nb;
                        long bck = unsorted;
                        long fwd = fd(bck);
                        if (bk(fwd) != bck) {
                            throw printerr("malloc(): corrupted unsorted chunks 2");
                        }
                        setBk(remainder, bck);
                        setFd(remainder, fwd);
                        setFd(bck, remainder);
                        setBk(fwd, remainder);
                        if (inSmallbinRange(nb)) {
                            w64(av + arena.lastRemainder, remainder);
                        }
                        if (!inSmallbinRange(remainderSize)) {
                            setFdNextsize(remainder, 0);
                            setBkNextsize(remainder, 0);
                        }
                        setHead(victim, nb | PREV_INUSE | aBit);
                        setHead(remainder, remainderSize | PREV_INUSE);
                        setFoot(remainder, remainderSize);
                        Transitions.split(victim, nb, remainder, remainderSize);
                        Transitions.binInsert(BinKind.UNSORTED, 1, remainder, remainderSize, Transitions.SPLIT);
                    }
                    long p = victim + CHUNK_HDR_SZ;
                    allocPerturb(p, bytes);
                    return p;
                }
            }

            // ---- use_top
            victim = top();
            long size = chunksize(victim);
            if (profile.topSizeCheck && Long.compareUnsigned(size, systemMem()) > 0) {
                throw printerr("malloc(): corrupted top size");
            }
            if (Long.compareUnsigned(size, nb + MINSIZE) >= 0) {
                long remainderSize = size - nb;
                long remainder = victim + nb;
                setTop(remainder);
                setHead(victim, nb | PREV_INUSE | aBit);
                setHead(remainder, remainderSize | PREV_INUSE);
                Transitions.split(victim, nb, remainder, remainderSize);
                long p = victim + CHUNK_HDR_SZ;
                allocPerturb(p, bytes);
                return p;
            } else if (profile.hasFastbins && haveFastchunks()) {
                mallocConsolidate();
                idx = inSmallbinRange(nb) ? smallbinIndex(nb) : largebinIndex(nb);
            } else {
                long p = sysmalloc(nb);
                if (p != 0) {
                    allocPerturb(p, bytes);
                }
                return p;
            }
        }
    }

    long binmap(int block) {
        return mem.read32(av + arena.binmap + 4L * block) & 0xffffffffL;
    }

    void markBin(int i) {
        long a = av + arena.binmap + 4L * (i >>> BINMAPSHIFT);
        mem.write32(a, mem.read32(a) | (1 << (i & 31)));
    }

    void allocPerturb(long p, long n) {
        int b = perturbByte();
        if (b != 0) {
            mem.fill(p, (b ^ 0xff) & 0xff, n);
        }
    }

    void freePerturb(long p, long n) {
        int b = perturbByte();
        if (b != 0) {
            mem.fill(p, b & 0xff, n);
        }
    }

    // ================================================================ unlink_chunk

    void unlinkChunk(long p) {
        long size = chunksize(p);
        if (profile.unlinkSizeCheck && size != prevSize(p + size)) {
            throw printerr("corrupted size vs. prev_size");
        }
        long fd = fd(p);
        long bk = bk(p);
        if (bk(fd) != p || fd(bk) != p) {
            throw printerr("corrupted double-linked list", p);
        }
        setBk(fd, bk);
        setFd(bk, fd);
        if (!inSmallbinRange(chunksizeNomask(p)) && fdNextsize(p) != 0) {
            if (bkNextsize(fdNextsize(p)) != p || fdNextsize(bkNextsize(p)) != p) {
                throw printerr("corrupted double-linked list (not small)", p);
            }
            if (fdNextsize(fd) == 0) {
                if (fdNextsize(p) == p) {
                    setFdNextsize(fd, fd);
                    setBkNextsize(fd, fd);
                } else {
                    setFdNextsize(fd, fdNextsize(p));
                    setBkNextsize(fd, bkNextsize(p));
                    setBkNextsize(fdNextsize(p), fd);
                    setFdNextsize(bkNextsize(p), fd);
                }
            } else {
                setBkNextsize(fdNextsize(p), bkNextsize(p));
                setFdNextsize(bkNextsize(p), fdNextsize(p));
            }
        }
    }

    /** How far {@link #binHolding} follows a list each way before it goes by the chunk's size. */
    static final int BIN_SEARCH_STEPS = 1024;

    /**
     * The index of the bin free chunk {@code p} (of {@code size}) sits in, for the report of its
     * unlinking: 1 for the unsorted bin, else its small or large bin, 0 for none. unlink_chunk does not ask (it
     * only checks that fd->bk and bk->fd point back), and a chunk freed since the last malloc sorted
     * the unsorted bin is still there, whatever its size. So its links are followed both ways, a step at
     * a time, to the first bin header of this arena: as many reads as the chunk is far from its list's
     * nearer end (the unsorted bin is short; small bins take from their tail). A list that leaves the
     * heap's readable memory or goes round without a header (a forged chunk's, as in unsafe_unlink) is
     * in no bin; one longer than {@value #BIN_SEARCH_STEPS} each way is told by its size. Only reads.
     */
    int binHolding(long p, long size) {
        long first = binAt(1);
        long span = (long) (NBINS - 1) * 2 * SIZE_SZ;
        long fwd = p;
        long back = p;
        for (int i = 0; i < BIN_SEARCH_STEPS && linksReadable(fwd) && linksReadable(back); i++) {
            fwd = fd(fwd);
            long off = fwd - first;
            if (off >= 0 && off < span && (off & (2 * SIZE_SZ - 1)) == 0) {
                return 1 + (int) (off / (2 * SIZE_SZ));
            }
            back = bk(back);
            off = back - first;
            if (off >= 0 && off < span && (off & (2 * SIZE_SZ - 1)) == 0) {
                return 1 + (int) (off / (2 * SIZE_SZ));
            }
            if (fwd == p || back == p) {
                return 0; // round without a header
            }
        }
        return linksReadable(fwd) && linksReadable(back) ? binIndex(size) : 0;
    }

    /**
     * Whether a chunk's fd and bk at {@code c} can be read. Asked first rather than caught: a fault
     * raised here, where glibc reads nothing, would be recorded as the program's (a segv event).
     */
    private boolean linksReadable(long c) {
        long a = c + 2 * SIZE_SZ;
        if (Long.compareUnsigned(a, c) < 0) {
            return false;
        }
        Region r = mem.regionAt(a);
        return r != null && r.prot() != AddressSpace.PROT_NONE
                && Long.compareUnsigned(r.end() - a, 2 * SIZE_SZ) >= 0;
    }

    /** The kind of bin {@code idx}: none (0), the unsorted bin, a small or a large bin. */
    static int binKindAt(int idx) {
        return idx == 0 ? BinKind.NONE : idx == 1 ? BinKind.UNSORTED : idx < NSMALLBINS ? BinKind.SMALLBIN
                : BinKind.LARGEBIN;
    }

    /**
     * unlink_chunk of a free chunk taken to merge it ({@link Transitions#COALESCE}) or for realloc to
     * grow into ({@link Transitions#REALLOC}), reported as removed from the bin it was in (found before
     * the unlinking, while its links still lead there).
     */
    private void unlinkFromItsBin(long p, long size, int reason) {
        int idx = Transitions.watched() ? binHolding(p, size) : binIndex(size); // the search only for the report
        unlinkChunk(p);
        Transitions.binRemove(binKindAt(idx), idx, p, size, reason);
    }

    /** unlink_chunk of a neighbour being merged, reported as a COALESCE removal. */
    private void unlinkForMerge(long p, long size) {
        unlinkFromItsBin(p, size, Transitions.COALESCE);
    }

    // ================================================================ malloc_consolidate

    void mallocConsolidate() {
        Transitions.consolidate();
        setHaveFastchunks(false);
        long unsortedBin = binAt(1);
        for (int i = 0; profile.hasFastbins && i < NFASTBINS; i++) {
            long fb = fastbinAddr(i);
            long p = r64(fb);
            w64(fb, 0);
            int guard = 0;
            while (p != 0) {
                if (profile.alignmentChecks && (p & MALLOC_ALIGN_MASK) != 0) {
                    throw printerr("malloc_consolidate(): unaligned fastbin chunk detected");
                }
                long psize = chunksize(p);
                if (profile.consolidateSizeCheck && fastbinIndexOf(psize) != i) {
                    throw printerr("malloc_consolidate(): invalid chunk size");
                }
                Transitions.binRemove(BinKind.FASTBIN, i, p, psize, Transitions.CONSOLIDATE);
                long nextp = revealPtr(p + 16);
                long size = psize;
                long nextchunk = p + size;
                long nextsize = chunksize(nextchunk);
                if (!prevInuse(p)) {
                    long prevsize = prevSize(p);
                    size += prevsize;
                    long prev = p - prevsize;
                    if (profile.mergeSizeChecks && chunksize(prev) != prevsize) {
                        throw printerr("corrupted size vs. prev_size in fastbins");
                    }
                    unlinkForMerge(prev, prevsize);
                    Transitions.coalesce(p, psize, prev, prevsize, prev, size);
                    p = prev;
                }
                if (nextchunk != top()) {
                    boolean nextinuse = inuseBitAtOffset(nextchunk, nextsize);
                    if (!nextinuse) {
                        long before = size;
                        size += nextsize;
                        unlinkForMerge(nextchunk, nextsize);
                        Transitions.coalesce(p, before, nextchunk, nextsize, p, size);
                    } else {
                        clearInuseBitAtOffset(nextchunk, 0);
                    }
                    long firstUnsorted = fd(unsortedBin);
                    setFd(unsortedBin, p);
                    setBk(firstUnsorted, p);
                    if (!inSmallbinRange(size)) {
                        setFdNextsize(p, 0);
                        setBkNextsize(p, 0);
                    }
                    setHead(p, size | PREV_INUSE);
                    setBk(p, unsortedBin);
                    setFd(p, firstUnsorted);
                    setFoot(p, size);
                    Transitions.binInsert(BinKind.UNSORTED, 1, p, size, Transitions.CONSOLIDATE);
                } else {
                    long topSize = nextsize;
                    size += nextsize;
                    setHead(p, size | PREV_INUSE);
                    setTop(p);
                    Transitions.coalesce(p, size - topSize, nextchunk, topSize, p, size);
                }
                p = nextp;
                if (++guard > LOOP_GUARD) {
                    throw new IllegalStateException("fastbin list does not end");
                }
            }
        }
    }

    // ================================================================ free

    /** {@code free(mem)}. free(NULL) does nothing. */
    public void free(long m) {
        ptmallocInitIfNeededForFree();
        if (m == 0) {
            return;
        }
        int savedErrno = kernel.errno();
        if (profile.freeTriesTcacheFirst) {
            freeTcacheFirst(m);
        } else {
            long p = m - CHUNK_HDR_SZ;
            long raw = chunksizeNomask(p);
            if ((raw & IS_MMAPPED) != 0) {
                updateDynamicThreshold(p);
                munmapChunk(p);
            } else {
                tcacheFns.maybeInitTcache();
                long a = arenaForChunk(p);
                if (a != av) {
                    useArena(a);
                }
                intFree(p, false, Transitions.FREE);
            }
        }
        kernel.setErrno(savedErrno);
    }

    /** free of an mmapped chunk: raise the mmap threshold to its size (unless fixed by the user). */
    private void updateDynamicThreshold(long p) {
        long raw = chunksizeNomask(p);
        if (mpInt(MP_NO_DYN_THRESHOLD) == 0 && Long.compareUnsigned(raw, mp(MP_MMAP_THRESHOLD)) > 0
                && Long.compareUnsigned(raw, DEFAULT_MMAP_THRESHOLD_MAX) <= 0) {
            long oldM = mp(MP_MMAP_THRESHOLD);
            long oldT = mp(MP_TRIM_THRESHOLD);
            setMp(MP_MMAP_THRESHOLD, chunksize(p));
            setMp(MP_TRIM_THRESHOLD, 2 * mp(MP_MMAP_THRESHOLD));
            Transitions.threshold(Transitions.THRESHOLD_MMAP, oldM, mp(MP_MMAP_THRESHOLD));
            Transitions.threshold(Transitions.THRESHOLD_TRIM, oldT, mp(MP_TRIM_THRESHOLD));
        }
    }

    /**
     * 2.43's __libc_free: the tcache (small and large bins, any chunk below tcache_max_bytes,
     * mmapped ones included) first; the first free that finds no tcache makes it and starts over.
     */
    private void freeTcacheFirst(long m) {
        long p = m - CHUNK_HDR_SZ;
        long size = chunksize(p);
        if ((p & MALLOC_ALIGN_MASK) != 0) {
            throw printerr("free(): invalid pointer");
        }
        if (Long.compareUnsigned(size, mp(MP_TCACHE_MAX_BYTES)) < 0) {
            long tc = tcache();
            if (r64(m + 8) == r64(TCACHE_KEY)) {
                if (tc != 0) {
                    tcacheFns.tcacheDoubleFreeVerify(tc, m, 0);
                }
                w64(m + 8, 0); // a coincidence: clear the key and free again
                freeTcacheFirst(m);
                return;
            }
            long idx = csize2tidx(size);
            if (tc != 0) {
                if (idx < TCACHE_MAX_BINS) {
                    if (tcacheFns.tcacheHasRoom(tc, idx)) {
                        tcacheFns.tcachePut(p, idx);
                        return;
                    }
                } else {
                    idx = Tcache.largeCsize2tidx(size);
                    if (Long.compareUnsigned(size, MINSIZE) >= 0 && tcacheFns.tcacheHasRoom(tc, idx)) {
                        tcacheFns.tcachePutLarge(p, idx);
                        return;
                    }
                }
            }
            if (tcacheFns.tcacheInactive()) {
                tcacheFns.tcacheInitLazy(false);
                freeTcacheFirst(m);
                return;
            }
        }
        if (Long.compareUnsigned(p + size - MINSIZE, p) < 0 || Long.compareUnsigned(size, MINSIZE) < 0) {
            throw printerr("free(): invalid size");
        }
        long a = arenaForChunk(p);
        if (a != av) {
            useArena(a);
        }
        intFreeChunk(p, size, false, Transitions.FREE);
    }

    /**
     * glibc's free does not call ptmalloc_init, but its main_arena and mp_ are statically initialised
     * while our memory starts zeroed; initialising here gives a free that comes first (of NULL, or of a
     * forged chunk) the state glibc would see. Nothing address-visible happens: the tcache is not made.
     */
    private void ptmallocInitIfNeededForFree() {
        ptmallocInit();
    }

    /**
     * arena_for_chunk: a chunk marked NON_MAIN_ARENA names its arena through the heap_info at the
     * start of its 64 MiB-aligned heap ({@code heap_for_ptr(p)->ar_ptr}); the hot path costs one test
     * of the A bit. A forged heap_info (House of Mind) is followed exactly as glibc follows it.
     */
    long arenaForChunk(long p) {
        if ((chunksizeNomask(p) & NON_MAIN_ARENA) != 0) {
            return mem.read64(p & ~(HEAP_MAX_SIZE - 1));
        }
        return MAIN_ARENA;
    }

    /**
     * _int_free (up to 2.41): the pointer checks, the tcache, then {@link #intFreeChunk}.
     * {@code reason} is reported on the bin insertion (FREE, REALLOC or MEMALIGN).
     */
    void intFree(long p, boolean haveLock, int reason) {
        long size = chunksize(p);
        if (Long.compareUnsigned(p, -size) > 0 || (p & MALLOC_ALIGN_MASK) != 0) {
            throw printerr("free(): invalid pointer", p + CHUNK_HDR_SZ);
        }
        if (Long.compareUnsigned(size, MINSIZE) < 0 || (size & MALLOC_ALIGN_MASK) != 0) {
            throw printerr("free(): invalid size", p + CHUNK_HDR_SZ);
        }

        // ---- tcache
        long tc = tcache();
        long tcIdx = csize2tidx(size);
        if (tc != 0 && Long.compareUnsigned(tcIdx, mp(MP_TCACHE_BINS)) < 0) {
            long e = p + CHUNK_HDR_SZ;
            if (profile.tcacheKey && r64(e + 8) == (profile.randomTcacheKey ? r64(TCACHE_KEY) : tc)) {
                tcacheFns.tcacheDoubleFreeVerify(tc, e, tcIdx);
            }
            if (tcacheFns.tcacheHasRoom(tc, tcIdx)) {
                tcacheFns.tcachePut(p, tcIdx);
                return;
            }
        }
        intFreeChunk(p, size, haveLock, reason);
    }

    /** _int_free_chunk: a fastbin (where the release has them), the coalescing path, or munmap. */
    void intFreeChunk(long p, long size, boolean haveLock, int reason) {
        // ---- fastbins
        if (profile.hasFastbins && Long.compareUnsigned(size, globalMaxFast()) <= 0) {
            long next = p + size;
            if (Long.compareUnsigned(chunksizeNomask(next), CHUNK_HDR_SZ) <= 0
                    || Long.compareUnsigned(chunksize(next), systemMem()) >= 0) {
                throw printerr("free(): invalid next size (fast)", p + CHUNK_HDR_SZ);
            }
            freePerturb(p + CHUNK_HDR_SZ, size - CHUNK_HDR_SZ);
            setHaveFastchunks(true);
            int idx = fastbinIndex(size);
            long fb = fastbinAddr(idx);
            long old = r64(fb);
            if (old == p) {
                throw printerr("double free or corruption (fasttop)", p + CHUNK_HDR_SZ);
            }
            w64(p + 16, protectPtr(p + 16, old));
            w64(fb, p);
            if (haveLock && old != 0 && fastbinIndexOf(chunksize(old)) != idx) {
                throw printerr("invalid fastbin entry (free)", p + CHUNK_HDR_SZ);
            }
            Transitions.binInsert(BinKind.FASTBIN, idx, p, size, reason);
            return;
        }

        if ((chunksizeNomask(p) & IS_MMAPPED) != 0) {
            if (profile.freeTriesTcacheFirst) {
                updateDynamicThreshold(p); // free no longer makes it before the tcache, so here
            }
            munmapChunk(p);
            return;
        }
        intFreeMergeChunk(p, size, reason);
    }

    /** _int_free_merge_chunk: the sanity checks, merge backward, then create the free chunk. */
    void intFreeMergeChunk(long p, long size, int reason) {
        long nextchunk = p + size;
        long av_top = top();
        long m = p + CHUNK_HDR_SZ;
        if (p == av_top) {
            throw printerr("double free or corruption (top)", m);
        }
        if (contiguous() && Long.compareUnsigned(nextchunk, av_top + chunksize(av_top)) >= 0) {
            throw printerr("double free or corruption (out)", m);
        }
        if (!prevInuse(nextchunk)) {
            throw printerr("double free or corruption (!prev)", m);
        }
        long nextsize = chunksize(nextchunk);
        if (Long.compareUnsigned(chunksizeNomask(nextchunk), CHUNK_HDR_SZ) <= 0
                || Long.compareUnsigned(nextsize, systemMem()) >= 0) {
            throw printerr("free(): invalid next size (normal)", m);
        }
        freePerturb(p + CHUNK_HDR_SZ, size - CHUNK_HDR_SZ);

        if (!prevInuse(p)) {
            long prevsize = prevSize(p);
            long before = size;
            size += prevsize;
            long prev = p - prevsize;
            if (profile.mergeSizeChecks && chunksize(prev) != prevsize) {
                throw printerr("corrupted size vs. prev_size while consolidating");
            }
            unlinkForMerge(prev, prevsize);
            Transitions.coalesce(p, before, prev, prevsize, prev, size);
            p = prev;
        }
        size = intFreeCreateChunk(p, size, nextchunk, nextsize, reason);
        intFreeMaybeConsolidate(size);
    }

    /**
     * _int_free_create_chunk: merge forward (or into top) and bin the result: the unsorted bin, or from
     * 2.41 a small chunk's own small bin. Returns the final size.
     */
    long intFreeCreateChunk(long p, long size, long nextchunk, long nextsize, int reason) {
        if (nextchunk != top()) {
            boolean nextinuse = inuseBitAtOffset(nextchunk, nextsize);
            if (!nextinuse) {
                unlinkForMerge(nextchunk, nextsize);
                long before = size;
                size += nextsize;
                Transitions.coalesce(p, before, nextchunk, nextsize, p, size);
            } else {
                clearInuseBitAtOffset(nextchunk, 0);
            }
            long bck;
            long fwd;
            int kind;
            int binIdx;
            if (profile.smallFreeToSmallbin && inSmallbinRange(size)) {
                binIdx = smallbinIndex(size);
                bck = binAt(binIdx);
                fwd = fd(bck);
                if (bk(fwd) != bck) {
                    throw printerr("free(): chunks in smallbin corrupted");
                }
                markBin(binIdx);
                kind = BinKind.SMALLBIN;
            } else {
                binIdx = 1;
                bck = binAt(1);
                fwd = fd(bck);
                if (bk(fwd) != bck) {
                    throw printerr("free(): corrupted unsorted chunks", p + CHUNK_HDR_SZ);
                }
                kind = BinKind.UNSORTED;
            }
            setFd(p, fwd);
            setBk(p, bck);
            if (!inSmallbinRange(size)) {
                setFdNextsize(p, 0);
                setBkNextsize(p, 0);
            }
            setFd(bck, p);
            setBk(fwd, p);
            setHead(p, size | PREV_INUSE);
            setFoot(p, size);
            Transitions.binInsert(kind, binIdx, p, size, reason);
        } else {
            long before = size;
            size += nextsize;
            setHead(p, size | PREV_INUSE);
            setTop(p);
            Transitions.coalesce(p, before, nextchunk, nextsize, p, size);
        }
        return size;
    }

    /** _int_free_maybe_consolidate / _maybe_trim: after a 64 KiB merge, consolidate (not 2.43) and trim. */
    void intFreeMaybeConsolidate(long size) {
        if (Long.compareUnsigned(size, FASTBIN_CONSOLIDATION_THRESHOLD) >= 0) {
            if (profile.hasFastbins && haveFastchunks()) {
                mallocConsolidate();
            }
            if (av == MAIN_ARENA) {
                if (Long.compareUnsigned(chunksize(top()), mp(MP_TRIM_THRESHOLD)) >= 0) {
                    systrim(mp(MP_TOP_PAD));
                }
            } else {
                // always heap_trim: the heap may go away even when top is small
                arenas.heapTrim(Arenas.heapForPtr(top()), mp(MP_TOP_PAD));
            }
        }
    }

    // ================================================================ mmapped chunks

    /** The bytes of an mmapped chunk's mapping beyond prev_size + size (2.43: the 16-byte tail header). */
    private long mmapTail() {
        return profile.mmapSizeWordExcludesTail ? CHUNK_HDR_SZ : 0;
    }

    void munmapChunk(long p) {
        long size = chunksize(p);
        long m = p + CHUNK_HDR_SZ;
        long block = p - prevSize(p);
        long totalSize = prevSize(p) + size + mmapTail();
        long memOff = m & (PAGESIZE - 1);
        if (((block | totalSize) & (PAGESIZE - 1)) != 0 || (memOff & (memOff - 1)) != 0) {
            throw printerr("munmap_chunk(): invalid pointer");
        }
        setMpInt(MP_N_MMAPS, mpInt(MP_N_MMAPS) - 1);
        setMp(MP_MMAPPED_MEM, mp(MP_MMAPPED_MEM) - totalSize);
        mmappedChunks.remove(p);
        Transitions.munmapChunk(p, size);
        kernel.munmap(block, totalSize);
    }

    /** mremap_chunk: the new chunk, or 0 when mremap failed. */
    long mremapChunk(long p, long newSize) {
        long offset = prevSize(p);
        long size = chunksize(p);
        long block = p - offset;
        long m = p + CHUNK_HDR_SZ;
        long totalSize = offset + size + mmapTail();
        long memOff = m & (PAGESIZE - 1);
        if (!profile.mremapPointerCheck) {
            // before 2.29 only an assertion on the total size
            if ((totalSize & (PAGESIZE - 1)) != 0) {
                throw assertFail("mremap_chunk", "((size + offset) & (GLRO (dl_pagesize) - 1)) == 0", A_MREMAP);
            }
        } else if (((block | totalSize) & (PAGESIZE - 1)) != 0 || (memOff & (memOff - 1)) != 0) {
            throw printerr("mremap_chunk(): invalid pointer");
        }
        newSize = alignUp(newSize + offset + (profile.mmapSizeWordExcludesTail ? CHUNK_HDR_SZ : SIZE_SZ), PAGESIZE);
        if (totalSize == newSize) {
            return p;
        }
        long cp = kernel.mremap(block, totalSize, newSize, Kernel.MREMAP_MAYMOVE, 0);
        if (cp == Kernel.MAP_FAILED) {
            return 0;
        }
        mmappedChunks.remove(p);
        Transitions.munmapChunk(p, size);
        p = cp + offset;
        setHead(p, (newSize - offset - mmapTail()) | IS_MMAPPED);
        // 2.43 adds new - size word - offset: 16 bytes more than the mapping grew (fact sheet §3.6)
        long now = mp(MP_MMAPPED_MEM) + newSize - size - offset;
        setMp(MP_MMAPPED_MEM, now);
        if (Long.compareUnsigned(now, mp(MP_MAX_MMAPPED_MEM)) > 0) {
            setMp(MP_MAX_MMAPPED_MEM, now);
        }
        mmappedChunks.add(p);
        Transitions.mmapChunk(p, newSize - offset - mmapTail());
        return p;
    }

    /** sysmalloc_mmap: a fresh mapping holding one chunk; its mem, or MAP_FAILED. */
    long sysmallocMmap(long nb) {
        long size = alignUp(nb + (profile.mmapSizeWordExcludesTail ? CHUNK_HDR_SZ : SIZE_SZ), PAGESIZE);
        if (Long.compareUnsigned(size, nb) <= 0) {
            return MAP_FAILED;
        }
        long mm = kernel.mmap(0, size, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE,
                Kernel.MAP_PRIVATE | Kernel.MAP_ANONYMOUS, -1, 0);
        if (mm == Kernel.MAP_FAILED) {
            return MAP_FAILED;
        }
        long p = mm;
        w64(p, 0);
        setHead(p, (size - mmapTail()) | IS_MMAPPED);
        int n = mpInt(MP_N_MMAPS) + 1;
        setMpInt(MP_N_MMAPS, n);
        if (n > mpInt(MP_MAX_N_MMAPS)) {
            setMpInt(MP_MAX_N_MMAPS, n);
        }
        long sum = mp(MP_MMAPPED_MEM) + size;
        setMp(MP_MMAPPED_MEM, sum);
        if (Long.compareUnsigned(sum, mp(MP_MAX_MMAPPED_MEM)) > 0) {
            setMp(MP_MAX_MMAPPED_MEM, sum);
        }
        mmappedChunks.add(p);
        Transitions.mmapChunk(p, size - mmapTail());
        return p + CHUNK_HDR_SZ;
    }

    // ================================================================ sysmalloc

    private static final long MAP_FAILED = -1L;

    /** MORECORE: glibc's __glibc_morecore, sbrk returning 0 (MORECORE_FAILURE) on failure. */
    long morecore(long increment) {
        long r = kernel.sbrk(increment);
        return r == -1 ? 0 : r;
    }

    long sysmalloc(long nb) {
        boolean triedMmap = false;
        if (Long.compareUnsigned(nb, mp(MP_MMAP_THRESHOLD)) >= 0 && mpInt(MP_N_MMAPS) < mpInt(MP_N_MMAPS_MAX)) {
            long mm = sysmallocMmap(nb);
            if (mm != MAP_FAILED) {
                return mm;
            }
            triedMmap = true;
        }

        long oldTop = top();
        long oldSize = chunksize(oldTop);
        long oldEnd = oldTop + oldSize;
        long brk = 0;
        long sndBrk = 0;

        if (!((oldTop == binAt(1) && oldSize == 0)
                || (Long.compareUnsigned(oldSize, MINSIZE) >= 0 && prevInuse(oldTop)
                && (oldEnd & (PAGESIZE - 1)) == 0))) {
            throw assertFail("sysmalloc", "(old_top == initial_top (av) && old_size == 0) || ((unsigned long) "
                    + "(old_size) >= MINSIZE && prev_inuse (old_top) && ((unsigned long) old_end & (pagesize - 1)) "
                    + "== 0)", A_SYSMALLOC_TOP);
        }
        if (Long.compareUnsigned(oldSize, nb + MINSIZE) >= 0) {
            throw assertFail("sysmalloc", "(unsigned long) (old_size) < (unsigned long) (nb + MINSIZE)",
                    A_SYSMALLOC_OLD_SIZE);
        }

        if (av != MAIN_ARENA) {
            if (!sysmallocNonMain(nb, oldTop, oldSize) && !triedMmap) {
                long mm = sysmallocMmap(nb);
                if (mm != MAP_FAILED) {
                    return mm;
                }
            }
            return sysmallocFromTop(nb);
        }

        long size = nb + mp(MP_TOP_PAD) + MINSIZE;
        if (contiguous()) {
            size -= oldSize;
        }
        size = alignUp(size, PAGESIZE);
        if (size > 0) {
            brk = morecore(size);
        }
        if (brk == 0) {
            long mbrk = sysmallocMmapFallback(size, nb, oldSize);
            if (mbrk != MAP_FAILED) {
                size = fallbackSize;
                brk = mbrk;
                sndBrk = brk + size;
            }
        }

        if (brk != 0) {
            if (mp(MP_SBRK_BASE) == 0) {
                setMp(MP_SBRK_BASE, brk);
            }
            setSystemMem(systemMem() + size);
            if (brk == oldEnd && sndBrk == 0) {
                setHead(oldTop, (size + oldSize) | PREV_INUSE);
                Transitions.topExtend(oldTop, oldSize, oldTop, size + oldSize);
            } else if (contiguous() && oldSize != 0 && Long.compareUnsigned(brk, oldEnd) < 0) {
                throw printerr("break adjusted to free malloc space");
            } else {
                long frontMisalign;
                long correction = 0;
                long alignedBrk = brk;
                if (contiguous()) {
                    if (oldSize != 0) {
                        setSystemMem(systemMem() + (brk - oldEnd));
                    }
                    frontMisalign = (brk + CHUNK_HDR_SZ) & MALLOC_ALIGN_MASK;
                    if (frontMisalign > 0) {
                        correction = MALLOC_ALIGNMENT - frontMisalign;
                        alignedBrk += correction;
                    }
                    correction += oldSize;
                    long endMisalign = brk + size + correction;
                    correction += alignUp(endMisalign, PAGESIZE) - endMisalign;
                    sndBrk = morecore(correction);
                    if (sndBrk == 0) {
                        correction = 0;
                        sndBrk = morecore(0);
                    }
                } else {
                    if (sndBrk == 0) {
                        sndBrk = morecore(0);
                    }
                }
                if (sndBrk != 0) {
                    setTop(alignedBrk);
                    setHead(alignedBrk, (sndBrk - alignedBrk + correction) | PREV_INUSE);
                    segments.add(alignedBrk);
                    setSystemMem(systemMem() + correction);
                    Transitions.topExtend(oldTop, oldSize, alignedBrk, sndBrk - alignedBrk + correction);
                    if (oldSize != 0) {
                        oldSize = (oldSize - 2 * CHUNK_HDR_SZ) & ~MALLOC_ALIGN_MASK;
                        setHead(oldTop, oldSize | PREV_INUSE);
                        setHead(oldTop + oldSize, CHUNK_HDR_SZ | PREV_INUSE);
                        setHead(oldTop + oldSize + CHUNK_HDR_SZ, CHUNK_HDR_SZ | PREV_INUSE);
                        if (Long.compareUnsigned(oldSize, MINSIZE) >= 0) {
                            if (profile.internalFreesCoalesceOnly) {
                                intFreeChunk(oldTop, chunksize(oldTop), true, Transitions.FREE);
                            } else {
                                intFree(oldTop, true, Transitions.FREE);
                            }
                        }
                    }
                }
            }
        }
        return sysmallocFromTop(nb);
    }

    /** The end of sysmalloc: max_system_mem, then nb carved from the (grown) top, or ENOMEM. */
    private long sysmallocFromTop(long nb) {
        if (Long.compareUnsigned(systemMem(), r64(av + arena.maxSystemMem)) > 0) {
            w64(av + arena.maxSystemMem, systemMem());
        }

        long p = top();
        long size = chunksize(p);
        if (Long.compareUnsigned(size, nb + MINSIZE) >= 0) {
            long remainderSize = size - nb;
            long remainder = p + nb;
            setTop(remainder);
            setHead(p, nb | PREV_INUSE | aBit);
            setHead(remainder, remainderSize | PREV_INUSE);
            Transitions.split(p, nb, remainder, remainderSize);
            return p + CHUNK_HDR_SZ;
        }
        kernel.setErrno(Kernel.ENOMEM);
        return 0;
    }

    /**
     * sysmalloc for a non-main arena: grow the top's heap (grow_heap), else chain a new heap whose
     * start becomes top, fencing off and freeing the old top. False when neither worked.
     */
    private boolean sysmallocNonMain(long nb, long oldTop, long oldSize) {
        long oldHeap = Arenas.heapForPtr(oldTop);
        long oldHeapSize = r64(oldHeap + Arenas.H_SIZE);
        long heap;
        if (MINSIZE + nb - oldSize > 0 && arenas.growHeap(oldHeap, MINSIZE + nb - oldSize) == 0) {
            long newHeapSize = r64(oldHeap + Arenas.H_SIZE);
            setSystemMem(systemMem() + newHeapSize - oldHeapSize);
            long newSize = oldHeap + newHeapSize - oldTop;
            setHead(oldTop, newSize | PREV_INUSE);
            Transitions.topExtend(oldTop, oldSize, oldTop, newSize);
        } else if ((heap = arenas.newHeap(nb + (MINSIZE + arenas.heapInfoSize), mp(MP_TOP_PAD))) != 0) {
            w64(heap + Arenas.H_AR_PTR, av);
            w64(heap + Arenas.H_PREV, oldHeap);
            long heapSize = r64(heap + Arenas.H_SIZE);
            setSystemMem(systemMem() + heapSize);
            long newTop = heap + arenas.heapInfoSize;
            setTop(newTop);
            setHead(newTop, (heapSize - arenas.heapInfoSize) | PREV_INUSE);
            Transitions.topExtend(oldTop, oldSize, newTop, heapSize - arenas.heapInfoSize);
            oldSize = (oldSize - MINSIZE) & ~MALLOC_ALIGN_MASK;
            setHead(oldTop + oldSize + CHUNK_HDR_SZ, PREV_INUSE);
            if (Long.compareUnsigned(oldSize, MINSIZE) >= 0) {
                setHead(oldTop + oldSize, CHUNK_HDR_SZ | PREV_INUSE);
                setFoot(oldTop + oldSize, CHUNK_HDR_SZ);
                setHead(oldTop, oldSize | PREV_INUSE | NON_MAIN_ARENA);
                if (profile.internalFreesCoalesceOnly) {
                    intFreeChunk(oldTop, oldSize, true, Transitions.FREE);
                } else {
                    intFree(oldTop, true, Transitions.FREE);
                }
            } else {
                setHead(oldTop, (oldSize + CHUNK_HDR_SZ) | PREV_INUSE);
                setFoot(oldTop, oldSize + CHUNK_HDR_SZ);
            }
        } else {
            return false;
        }
        return true;
    }

    /** The size sysmalloc_mmap_fallback settled on (its *s out-parameter). */
    private long fallbackSize;

    /** sysmalloc_mmap_fallback, with 2.36's swapped minsize/pagesize arguments when the profile says so. */
    long sysmallocMmapFallback(long size, long nb, long oldSize) {
        boolean swapped = profile.mmapFallback == GlibcProfile.MmapFallback.SWAPPED_ARGUMENTS;
        long minsize = swapped ? PAGESIZE : MMAP_AS_MORECORE_SIZE;
        long pagesize = swapped ? MMAP_AS_MORECORE_SIZE : PAGESIZE;
        if (profile.mmapFallback == GlibcProfile.MmapFallback.FROM_REQUEST) {
            size = alignUp(nb + mp(MP_TOP_PAD) + MINSIZE, PAGESIZE);
        } else if (contiguous()) {
            size = alignUp(size + oldSize, pagesize);
        }
        if (Long.compareUnsigned(size, minsize) < 0) {
            size = minsize;
        }
        if (Long.compareUnsigned(size, nb) <= 0) {
            return MAP_FAILED;
        }
        long mbrk = kernel.mmap(0, size, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE,
                Kernel.MAP_PRIVATE | Kernel.MAP_ANONYMOUS, -1, 0);
        if (mbrk == Kernel.MAP_FAILED) {
            return MAP_FAILED;
        }
        setNoncontiguous();
        fallbackSize = size;
        return mbrk;
    }

    // ================================================================ systrim

    int systrim(long pad) {
        long top = top();
        long topSize = chunksize(top);
        long topArea = topSize - MINSIZE - 1;
        if (Long.compareUnsigned(topArea, pad) <= 0) {
            return 0;
        }
        long extra = (topArea - pad) & ~(PAGESIZE - 1);
        if (extra == 0) {
            return 0;
        }
        long currentBrk = morecore(0);
        if (currentBrk == top + topSize) {
            morecore(-extra);
            long newBrk = morecore(0);
            if (newBrk != 0) {
                long released = currentBrk - newBrk;
                if (released != 0) {
                    setSystemMem(systemMem() - released);
                    setHead(top, (topSize - released) | PREV_INUSE);
                    if (released > 0) {
                        Transitions.topShrink(top, topSize, topSize - released);
                    } else {
                        Transitions.topExtend(top, topSize, top, topSize - released);
                    }
                    return 1;
                }
            }
        }
        return 0;
    }

    // ================================================================ realloc

    /**
     * {@code realloc(mem, bytes)}: realloc(p, 0) frees p and returns NULL; realloc(NULL, n) is malloc(n).
     */
    public long realloc(long oldmem, long bytes) {
        ptmallocInit();
        if (bytes == 0 && oldmem != 0) {
            free(oldmem);
            return 0;
        }
        if (oldmem == 0) {
            return malloc(bytes);
        }
        long oldp = oldmem - CHUNK_HDR_SZ;
        long usable = 0;
        if (profile.reallocShortcut != GlibcProfile.ReallocShortcut.NONE) {
            // 2.38+: keep the block when the request fits with less than 16 bytes to spare
            usable = mallocUsableSize(oldmem);
            if (Long.compareUnsigned(bytes, usable) <= 0) {
                long difference = usable - bytes;
                if (Long.compareUnsigned(difference, 2 * SIZE_SZ) < 0
                        || (profile.reallocShortcut == GlibcProfile.ReallocShortcut.SLACK_OR_MMAPPED_PAGE
                        && (chunksizeNomask(oldp) & IS_MMAPPED) != 0 && Long.compareUnsigned(difference, PAGESIZE) <= 0)) {
                    return oldmem;
                }
            }
        }
        long oldsize = chunksize(oldp);
        boolean mmapped = (chunksizeNomask(oldp) & IS_MMAPPED) != 0;
        long arPtr = 0;
        if (!mmapped) {
            tcacheFns.maybeInitTcache();
            arPtr = arenaForChunk(oldp);
            useArena(arPtr);
        }
        if (Long.compareUnsigned(oldp, -oldsize) > 0 || (oldp & MALLOC_ALIGN_MASK) != 0) {
            throw printerr("realloc(): invalid pointer");
        }
        if (requestOutOfRange(bytes)) {
            kernel.setErrno(Kernel.ENOMEM);
            return 0;
        }
        long nb = request2size(bytes);
        if (mmapped) {
            long newp = mremapChunk(oldp, nb);
            if (newp != 0) {
                return newp + CHUNK_HDR_SZ;
            }
            if (profile.reallocMmappedFitsUsable ? Long.compareUnsigned(bytes, usable) <= 0
                    : Long.compareUnsigned(oldsize - SIZE_SZ, nb) >= 0) {
                return oldmem;
            }
            long newmem = malloc(bytes);
            if (newmem == 0) {
                return 0;
            }
            copy(newmem, oldmem, oldsize - CHUNK_HDR_SZ);
            munmapChunk(oldp);
            return newmem;
        }
        long newp = intRealloc(oldp, oldsize, nb);
        if (newp == 0 && multipleThreads) {
            // try harder in other arenas
            newp = malloc(bytes);
            if (newp != 0) {
                copy(newp, oldmem, oldsize - SIZE_SZ);
                useArena(arPtr);
                intFree(oldp, false, Transitions.REALLOC);
            }
        }
        return newp;
    }

    /** _int_realloc: returns the mem pointer or 0. */
    long intRealloc(long oldp, long oldsize, long nb) {
        if (Long.compareUnsigned(chunksizeNomask(oldp), CHUNK_HDR_SZ) <= 0
                || Long.compareUnsigned(oldsize, systemMem()) >= 0) {
            throw printerr("realloc(): invalid old size");
        }
        long next = oldp + oldsize;
        long nextsize = chunksize(next);
        if (Long.compareUnsigned(chunksizeNomask(next), CHUNK_HDR_SZ) <= 0
                || Long.compareUnsigned(nextsize, systemMem()) >= 0) {
            throw printerr("realloc(): invalid next size");
        }
        long newp;
        long newsize;
        if (Long.compareUnsigned(oldsize, nb) >= 0) {
            newp = oldp;
            newsize = oldsize;
        } else {
            long topChunk = top();
            if (next == topChunk && Long.compareUnsigned(oldsize + nextsize, nb + MINSIZE) >= 0) {
                newsize = oldsize + nextsize;
                setHeadSize(oldp, nb | aBit);
                long newTop = oldp + nb;
                setTop(newTop);
                setHead(newTop, (newsize - nb) | PREV_INUSE);
                Transitions.split(oldp, nb, newTop, newsize - nb);
                return oldp + CHUNK_HDR_SZ;
            } else if (next != topChunk && !inuse(next) && Long.compareUnsigned(oldsize + nextsize, nb) >= 0) {
                newsize = oldsize + nextsize;
                newp = oldp;
                unlinkFromItsBin(next, nextsize, Transitions.REALLOC);
                Transitions.coalesce(oldp, oldsize, next, nextsize, oldp, newsize);
            } else {
                long newmem = intMalloc(nb - MALLOC_ALIGN_MASK);
                if (newmem == 0) {
                    return 0;
                }
                newp = newmem - CHUNK_HDR_SZ;
                newsize = chunksize(newp);
                if (newp == next) {
                    Transitions.coalesce(oldp, oldsize, next, newsize, oldp, oldsize + newsize);
                    newsize += oldsize;
                    newp = oldp;
                } else {
                    copy(newmem, oldp + CHUNK_HDR_SZ, oldsize - SIZE_SZ);
                    if (profile.internalFreesCoalesceOnly) {
                        intFreeChunk(oldp, chunksize(oldp), true, Transitions.REALLOC);
                    } else {
                        intFree(oldp, true, Transitions.REALLOC);
                    }
                    return newmem;
                }
            }
        }
        long remainderSize = newsize - nb;
        if (Long.compareUnsigned(remainderSize, MINSIZE) < 0) {
            setHeadSize(newp, newsize | aBit);
            setInuseBitAtOffset(newp, newsize);
        } else {
            long remainder = newp + nb;
            setHeadSize(newp, nb | aBit);
            setHead(remainder, remainderSize | PREV_INUSE | aBit);
            setInuseBitAtOffset(remainder, remainderSize);
            Transitions.split(newp, nb, remainder, remainderSize);
            if (profile.internalFreesCoalesceOnly) {
                intFreeChunk(remainder, chunksize(remainder), true, Transitions.REALLOC);
            } else {
                intFree(remainder, true, Transitions.REALLOC);
            }
        }
        return newp + CHUNK_HDR_SZ;
    }

    private void copy(long dst, long src, long n) {
        if (n > 0) {
            mem.copy(dst, src, n); // page to page, no buffer: realloc's memcpy is on the replay hot path
        }
    }

    /** {@code reallocarray(p, n, size)}: realloc with an overflow check on n × size (ENOMEM). */
    public long reallocarray(long m, long n, long size) {
        long hi = unsignedMultiplyHigh(n, size);
        if (hi != 0) {
            kernel.setErrno(Kernel.ENOMEM);
            return 0;
        }
        return realloc(m, n * size);
    }

    // ================================================================ calloc

    /** {@code calloc(n, size)}: zeroed memory; never takes from the tcache on entry (2.36). */
    public long calloc(long n, long elemSize) {
        long bytes = n * elemSize;
        if (unsignedMultiplyHigh(n, elemSize) != 0 || bytes < 0) {
            kernel.setErrno(Kernel.ENOMEM);
            return 0;
        }
        ptmallocInit();
        if (profile.tcacheLargeBins) {
            long nb = request2size(bytes);
            long m = tcacheFns.tcacheLookup(nb);
            if (m != 0) {
                // small bins clear tidx2usize(idx) bytes, large ones the chunk's usable size: the same here
                mem.fill(m, 0, chunksize(m - CHUNK_HDR_SZ) - SIZE_SZ);
                return m;
            }
        } else {
            tcacheFns.maybeInitTcache();
            if (profile.callocUsesTcache) {
                // 2.41: tcache_try_malloc, as malloc does
                long tcIdx = csize2tidx(request2size(bytes));
                long tc = tcache();
                if (tc != 0 && Long.compareUnsigned(tcIdx, mp(MP_TCACHE_BINS)) < 0 && tcacheFns.tcacheNonEmpty(tc, tcIdx)) {
                    long m = tcacheFns.tcacheGet(tcIdx);
                    mem.fill(m, 0, chunksize(m - CHUNK_HDR_SZ) - SIZE_SZ);
                    return m;
                }
            }
        }
        long a = entryArena(bytes);
        if (a == 0) {
            return 0;
        }
        long oldtop = top();
        long oldtopsize = chunksize(oldtop);
        if (a == MAIN_ARENA) {
            long sbrkBase = mp(MP_SBRK_BASE);
            long maxSystemMem = r64(av + arena.maxSystemMem);
            if (Long.compareUnsigned(oldtopsize, sbrkBase + maxSystemMem - oldtop) < 0) {
                oldtopsize = sbrkBase + maxSystemMem - oldtop;
            }
        } else {
            long heap = Arenas.heapForPtr(oldtop);
            long reach = heap + r64(heap + Arenas.H_MPROTECT_SIZE) - oldtop;
            if (Long.compareUnsigned(oldtopsize, reach) < 0) {
                oldtopsize = reach;
            }
        }
        long m = intMalloc(bytes);
        if (m == 0 && multipleThreads) {
            useArena(arenas.arenaGetRetry(a, bytes));
            m = intMalloc(bytes);
        }
        if (m == 0) {
            return 0;
        }
        long p = m - CHUNK_HDR_SZ;
        if ((chunksizeNomask(p) & IS_MMAPPED) != 0) {
            if (perturbByte() != 0) {
                mem.fill(m, 0, bytes);
            }
            return m;
        }
        long csz = chunksize(p);
        if (perturbByte() == 0 && p == oldtop && Long.compareUnsigned(csz, oldtopsize) > 0) {
            csz = oldtopsize;
        }
        mem.fill(m, 0, csz - SIZE_SZ);
        return m;
    }

    // ================================================================ memalign family

    /** {@code memalign(alignment, bytes)}. */
    public long memalign(long alignment, long bytes) {
        ptmallocInit();
        return memalignFns.midMemalign(alignment, bytes);
    }

    /**
     * {@code aligned_alloc}: up to 2.37 an alias of memalign, with no check of the alignment; from 2.38
     * an alignment that is not a power of two (or 0) fails with EINVAL.
     */
    public long alignedAlloc(long alignment, long bytes) {
        if (profile.alignedAllocChecksAlignment && (alignment == 0 || !Memalign.powerOf2(alignment))) {
            ptmallocInit();
            kernel.setErrno(Kernel.EINVAL);
            return 0;
        }
        return memalign(alignment, bytes);
    }

    /**
     * {@code posix_memalign(memptr, alignment, bytes)}: writes the pointer at {@code memptr} in simulated
     * memory; returns 0, EINVAL or ENOMEM.
     */
    public int posixMemalign(long memptr, long alignment, long bytes) {
        ptmallocInit();
        if (alignment % 8 != 0 || !Memalign.powerOf2(alignment / 8) || alignment == 0) {
            return Kernel.EINVAL;
        }
        long m = memalignFns.midMemalign(alignment, bytes);
        if (m != 0) {
            w64(memptr, m);
            return 0;
        }
        return Kernel.ENOMEM;
    }

    /** {@code valloc(bytes)}: memalign(page size, bytes). */
    public long valloc(long bytes) {
        ptmallocInit();
        return memalignFns.midMemalign(PAGESIZE, bytes);
    }

    /** {@code pvalloc(bytes)}: page-aligned, rounded up to pages (with 2.36's odd mask). */
    public long pvalloc(long bytes) {
        ptmallocInit();
        long rounded = bytes + PAGESIZE - 1;
        if (Long.compareUnsigned(rounded, bytes) < 0) {
            kernel.setErrno(Kernel.ENOMEM);
            return 0;
        }
        rounded &= -(PAGESIZE - 1);
        return memalignFns.midMemalign(PAGESIZE, rounded);
    }

    static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    // ================================================================ usable size, trim

    /** {@code malloc_usable_size(mem)}. */
    public long mallocUsableSize(long m) {
        if (m == 0) {
            return 0;
        }
        long p = m - CHUNK_HDR_SZ;
        if ((chunksizeNomask(p) & IS_MMAPPED) != 0) {
            return chunksize(p) - (profile.mmapSizeWordExcludesTail ? SIZE_SZ : CHUNK_HDR_SZ);
        } else if (inuse(p)) {
            return chunksize(p) - SIZE_SZ;
        }
        return 0;
    }

    /** {@code malloc_trim(pad)}: consolidate, release free pages, trim top; 1 if anything was released. */
    public int mallocTrim(long pad) {
        ptmallocInit();
        int result = 0;
        long a = MAIN_ARENA;
        do {
            useArena(a);
            result |= mtrim(pad);
            a = r64(a + arena.next);
        } while (a != MAIN_ARENA);
        return result;
    }

    int mtrim(long pad) {
        if (profile.trimAndMalloptConsolidate) {
            mallocConsolidate();
        }
        long psm1 = PAGESIZE - 1;
        int psindex = binIndex(PAGESIZE);
        int result = 0;
        for (int i = 1; i < NBINS; i++) {
            if (i == 1 || i >= psindex) {
                long bin = binAt(i);
                int guard = 0;
                for (long p = bk(bin); p != bin; p = bk(p)) {
                    long size = chunksize(p);
                    if (Long.compareUnsigned(size, psm1 + 48) > 0) {
                        long paligned = alignUp(p + 48, PAGESIZE);
                        size -= paligned - p;
                        if (Long.compareUnsigned(size, psm1) > 0) {
                            // madvise(MADV_DONTNEED): the pages read back as zeros
                            mem.fill(paligned, 0, size & ~psm1);
                            result = 1;
                        }
                    }
                    if (++guard > LOOP_GUARD) {
                        throw new IllegalStateException("bin list does not end");
                    }
                }
            }
        }
        return result | (av == MAIN_ARENA ? systrim(pad) : 0);
    }

    // ================================================================ mallopt

    /** {@code mallopt(param, value)}: 1 on success, 0 on failure; up to 2.41 every call consolidates the fastbins. */
    public int mallopt(int param, int value) {
        useArena(MAIN_ARENA); // these work on main_arena only
        return malloptFns.mallopt(param, value);
    }

    // ================================================================ statistics

    /** {@code mallinfo2()}. */
    public Mallinfo2 mallinfo2() {
        return statsFns.mallinfo2();
    }

    /** {@code malloc_stats()}: glibc's summary on the process's stderr. */
    public void mallocStats() {
        useArena(MAIN_ARENA); // these work on main_arena only
        statsFns.mallocStats();
    }

    /** {@code malloc_info(options, stream)}: glibc's XML; options must be 0 (else EINVAL is returned). */
    public int mallocInfo(int options, PrintStream out) {
        useArena(MAIN_ARENA); // these work on main_arena only
        return statsFns.mallocInfo(options, out);
    }
}
