package io.mallocscope.runtime.malloc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.Set;

import static io.mallocscope.runtime.malloc.MallocState.*;

/**
 * The invariants glibc's do_check_malloc_state and its helpers assert (in MALLOC_DEBUG builds),
 * checked on a {@link HeapView}: the chunk walk reaches top; boundary tags agree (a free chunk's
 * successor has PREV_INUSE clear and a matching prev_size; a chunk in use or cached keeps it set; no
 * two free chunks touch); every bin holds chunks of its sizes, in its order; the large-bin nextsize
 * ring is consistent; tcache counts match their lists; the binmap never under-reports; top is sane.
 * Returns a list of violations in words (empty when the heap is consistent).
 */
public final class HeapChecker {
    private HeapChecker() {
    }

    /**
     * Every arena and every thread's tcache: main_arena as below; each non-main arena the same way over
     * its heaps (their {@code heap_info} fields, each heap's chunk walk to its end, top ending its last
     * heap, {@code system_mem} the sum of the heaps' sizes, in-use chunks carrying the A bit), its own
     * bins; the arena list ({@code narenas} arenas on {@code main_arena.next}'s ring, the free list's
     * arenas unattached, {@code attached_threads} the number of live threads using each); and every live
     * thread's tcache (counts, sizes, entries on some arena's chunk walk, no chunk in two lists).
     * A message about a non-main arena or a thread's tcache names it first ("arena 0x…:", "thread 0x… tcache:").
     */
    public static List<String> check(Malloc malloc) {
        HeapView main = HeapView.of(malloc);
        if (!main.initialized()) {
            return new ArrayList<>();
        }
        List<HeapView.Arena> arenas = main.arenas();
        if (arenas.size() <= 1 && main.threads().size() <= 1) {
            return check(main, malloc); // one arena, one thread: as before threads existed
        }
        List<String> out = new ArrayList<>();
        Set<Long> walked = new HashSet<>();
        Set<Long> inLists = new HashSet<>();
        for (HeapView.Arena a : arenas) {
            HeapView v = HeapView.of(malloc, a.address(), 0);
            String prefix = a.main() ? "" : "arena " + hex(a.address()) + ": ";
            for (String problem : checkArena(v, malloc, walked, inLists)) {
                out.add(prefix + problem);
            }
            if (!a.main()) {
                checkHeaps(v, a, prefix, out);
            }
        }
        checkArenaList(main, malloc, arenas, out);
        for (HeapView.ThreadInfo t : main.threads()) {
            HeapView v = HeapView.of(malloc, malloc.MAIN_ARENA, t.threadPointer());
            for (HeapView.Bin b : v.bins()) {
                if (b.kind() != BinKind.TCACHE) {
                    continue;
                }
                String name = "thread " + hex(t.threadPointer()) + " tcache: " + b.kindName() + "[" + b.index() + "]";
                checkBin(v, b, name, 0, inLists, out);
                for (long c : b.chunks()) {
                    if (!walked.contains(c) && (v.read64(c + 8) & IS_MMAPPED) == 0) {
                        out.add(name + ": chunk " + hex(c) + " is on no arena's chunk walk");
                    }
                }
            }
        }
        return out;
    }

    /** The heap_info of each heap of a non-main arena, and what ties them to the arena. */
    private static void checkHeaps(HeapView v, HeapView.Arena a, String prefix, List<String> out) {
        List<HeapView.HeapInfo> heaps = a.heaps();
        long sum = 0;
        for (int i = 0; i < heaps.size(); i++) {
            HeapView.HeapInfo h = heaps.get(i);
            String name = prefix + "heap " + hex(h.address());
            sum += h.size();
            if (h.arPtr() != a.address()) {
                out.add(name + ": ar_ptr " + hex(h.arPtr()) + " is not its arena");
            }
            if (h.prev() != (i == 0 ? 0 : heaps.get(i - 1).address())) {
                out.add(name + ": prev " + hex(h.prev()) + " is not the arena's previous heap");
            }
            if ((h.address() & (HEAP_MAX_SIZE - 1)) != 0) {
                out.add(name + ": not aligned to HEAP_MAX_SIZE");
            }
            if ((h.size() & (PAGESIZE - 1)) != 0 || Long.compareUnsigned(h.size(), v.heapInfoSize()) < 0) {
                out.add(name + ": size " + hex(h.size()) + " is not a page multiple above sizeof (heap_info)");
            }
            if (Long.compareUnsigned(h.size(), h.mprotectSize()) > 0
                    || Long.compareUnsigned(h.mprotectSize(), HEAP_MAX_SIZE) > 0) {
                out.add(name + ": size " + hex(h.size()) + ", mprotect_size " + hex(h.mprotectSize())
                        + " (want size <= mprotect_size <= HEAP_MAX_SIZE)");
            }
            if (v.heapInfoSize() > Arenas.H_PAGESIZE && h.pagesize() != PAGESIZE) {
                out.add(name + ": pagesize " + hex(h.pagesize()));
            }
            if (!v.readable(h.address() + h.mprotectSize() - 16)) {
                out.add(name + ": its mprotect_size is not all mapped");
            }
        }
        if (heaps.isEmpty() || Arenas.heapForPtr(a.address()) != heaps.get(0).address()) {
            out.add(prefix + "the arena is not in its first heap (the heap chain from top does not reach it)");
        }
        if (!heaps.isEmpty()) {
            HeapView.HeapInfo last = heaps.get(heaps.size() - 1);
            if (a.top() + a.topSize() != last.end()) {
                out.add(prefix + "top " + hex(a.top()) + " + " + hex(a.topSize()) + " does not end its heap at "
                        + hex(last.end()));
            }
        }
        if (sum != a.systemMem()) {
            out.add(prefix + "system_mem " + hex(a.systemMem()) + " is not the sum of its heaps' sizes " + hex(sum));
        }
        if (Long.compareUnsigned(a.systemMem(), a.maxSystemMem()) > 0) {
            out.add(prefix + "system_mem above max_system_mem");
        }
        for (HeapView.Chunk c : v.chunks()) {
            boolean inUse = c.state() == HeapView.State.IN_USE || c.state() == HeapView.State.FASTBIN
                    || c.state() == HeapView.State.TCACHE;
            if (inUse && !c.nonMainArena() && c.size() > CHUNK_HDR_SZ) {
                out.add(prefix + "chunk " + hex(c.address()) + " in use without the A bit (NON_MAIN_ARENA)");
            }
        }
    }

    /** narenas, the ring of main_arena.next, the free list and attached_threads. */
    private static void checkArenaList(HeapView main, Malloc m, List<HeapView.Arena> arenas, List<String> out) {
        long narenas = m.arenas.narenas();
        if (arenas.size() != narenas) {
            out.add("main_arena.next's list holds " + arenas.size() + " arenas, narenas is " + narenas);
        }
        Map<Long, Long> users = new HashMap<>();
        for (HeapView.ThreadInfo t : main.threads()) {
            if (t.arena() != 0) {
                users.merge(t.arena(), 1L, Long::sum);
            }
        }
        Set<Long> listed = new HashSet<>();
        for (HeapView.Arena a : arenas) {
            listed.add(a.address());
            long want = users.getOrDefault(a.address(), 0L);
            if (a.attachedThreads() != want) {
                out.add((a.main() ? "main_arena" : "arena " + hex(a.address())) + ": attached_threads "
                        + a.attachedThreads() + " but " + want + " live threads use it");
            }
            if (a.onFreeList() && a.attachedThreads() != 0) {
                out.add("arena " + hex(a.address()) + " is on the free list with threads attached");
            }
        }
        for (long f : main.freeList()) {
            if (!listed.contains(f)) {
                out.add("free list arena " + hex(f) + " is not on main_arena.next's list");
            }
        }
        for (long a : users.keySet()) {
            if (!listed.contains(a)) {
                out.add("a thread's thread_arena " + hex(a) + " is not on main_arena.next's list");
            }
        }
    }

    static List<String> check(HeapView v, Malloc m) {
        if (!v.initialized()) {
            return new ArrayList<>();
        }
        return checkArena(v, m, new HashSet<>(), new HashSet<>());
    }

    /**
     * One arena's top, bins and chunk walk; with the view's tcache if it has one. Adds the chunks walked
     * to {@code walked} and those found in lists to {@code inLists} (shared across arenas).
     */
    private static List<String> checkArena(HeapView v, Malloc m, Set<Long> walked, Set<Long> inLists) {
        List<String> out = new ArrayList<>();
        if (v.corrupt()) {
            out.add("a walk was cut short: the heap looks corrupted");
        }
        long top = v.top();
        long topSize = v.topSize();
        if (v.heapStart() != 0 && (v.isMainArena() || top != v.binAt(1))) {
            if ((v.read64(top + 8) & PREV_INUSE) == 0) {
                out.add("top " + hex(top) + " lacks PREV_INUSE");
            }
            if (topSize < MINSIZE) {
                out.add("top size " + hex(topSize) + " below MINSIZE");
            }
            if (Long.compareUnsigned(topSize, v.systemMem()) > 0) {
                out.add("top size above system_mem");
            }
        }
        // ---- bins
        Set<Long> binnedHere = new HashSet<>();
        for (HeapView.Bin b : v.bins()) {
            checkBin(v, b, b.kindName() + "[" + b.index() + "]", top, inLists, out);
            binnedHere.addAll(b.chunks());
        }
        // ---- chunk walk
        List<HeapView.Chunk> chunks = v.chunks();
        long total = 0;
        HeapView.Chunk prevChunk = null;
        boolean reachedTop = false;
        for (HeapView.Chunk c : chunks) {
            total += c.size();
            if (c.state() == HeapView.State.TOP) {
                reachedTop = true;
            }
            if (prevChunk != null && prevChunk.address() + prevChunk.size() == c.address()) {
                boolean prevFree = isFree(prevChunk.state());
                if (prevFree == c.prevInuse() && prevChunk.size() != CHUNK_HDR_SZ) {
                    out.add("chunk " + hex(c.address()) + ": PREV_INUSE " + c.prevInuse() + " but predecessor is "
                            + prevChunk.state());
                }
                if (prevFree && isFree(c.state())) {
                    out.add("free chunks " + hex(prevChunk.address()) + " and " + hex(c.address()) + " touch");
                }
                if (prevFree && c.state() == HeapView.State.TOP) {
                    out.add("free chunk " + hex(prevChunk.address()) + " borders top");
                }
            }
            if (c.state() != HeapView.State.IN_USE && c.state() != HeapView.State.TOP
                    && v.binStateOf(c.address()) == null) {
                out.add("chunk " + hex(c.address()) + " state mismatch");
            }
            prevChunk = c;
        }
        if (!chunks.isEmpty() && !reachedTop) {
            out.add("the chunk walk did not reach top " + hex(top));
        }
        Set<Long> walkedHere = new HashSet<>();
        for (HeapView.Chunk hc : chunks) {
            walkedHere.add(hc.address());
            walked.add(hc.address());
            if (hc.nonMainArena() && v.isMainArena() && hc.size() > CHUNK_HDR_SZ) {
                out.add("chunk " + hex(hc.address()) + " of main_arena's heap has the A bit (NON_MAIN_ARENA)");
            }
        }
        for (long c : binnedHere) {
            // 2.43 with a large tcache_max keeps freed mmapped chunks mapped in its large bins
            if (!walkedHere.contains(c) && (v.read64(c + 8) & IS_MMAPPED) == 0) {
                out.add("binned chunk " + hex(c) + " is not on the chunk walk");
            }
        }
        if (v.contiguous() && Long.compareUnsigned(total, v.systemMem()) > 0) {
            out.add("chunks total " + hex(total) + " above system_mem " + hex(v.systemMem()));
        }
        return out;
    }

    /** One free list: sizes, order, links, counts and the binmap; each chunk must be in no other list. */
    private static void checkBin(HeapView v, HeapView.Bin b, String name, long top, Set<Long> inLists,
                                 List<String> out) {
        long gmf = v.params().globalMaxFast();
        long prev = -1;
        long prevSize = Long.MAX_VALUE;
        for (long c : b.chunks()) {
            long size = v.read64(c + 8) & ~SIZE_BITS;
            if (!inLists.add(c)) {
                out.add(name + ": chunk " + hex(c) + " is in more than one list");
            }
            switch (b.kind()) {
                case BinKind.TCACHE -> {
                    if (b.index() >= TCACHE_MAX_BINS) {
                        // 2.43's large tcache bins: a size range, kept in increasing order
                        if (Tcache.largeCsize2tidx(size) != b.index()) {
                            out.add(name + ": chunk " + hex(c) + " of size " + hex(size) + " in wrong bin");
                        }
                        if (prevSize != Long.MAX_VALUE && size < prevSize) {
                            out.add(name + ": not sorted by increasing size at " + hex(c));
                        }
                        prevSize = size;
                    } else {
                        if (size != b.chunkSize()) {
                            out.add(name + ": chunk " + hex(c) + " has size " + hex(size));
                        }
                        if (b.index() >= v.params().tcacheBins()) {
                            out.add(name + ": bin beyond tcache_bins holds chunks");
                        }
                    }
                }
                case BinKind.FASTBIN -> {
                    if (size != b.chunkSize()) {
                        out.add(name + ": chunk " + hex(c) + " has size " + hex(size));
                    }
                    if (Long.compareUnsigned(size, gmf) > 0) {
                        out.add(name + ": chunk above global_max_fast");
                    }
                }
                default -> {
                    if (b.kind() == BinKind.SMALLBIN && size != b.chunkSize()) {
                        out.add(name + ": chunk " + hex(c) + " has size " + hex(size));
                    }
                    if (b.kind() == BinKind.LARGEBIN) {
                        if (largebinIndex(size) != b.index() || size < MIN_LARGE_SIZE) {
                            out.add(name + ": chunk " + hex(c) + " of size " + hex(size) + " in wrong bin");
                        }
                        if (size > prevSize) {
                            out.add(name + ": not sorted by decreasing size at " + hex(c));
                        }
                        prevSize = size;
                    }
                    long bk = v.read64(c + 24);
                    long expectBk = prev == -1 ? v.binAt(b.index()) : prev;
                    if (bk != expectBk) {
                        out.add(name + ": chunk " + hex(c) + " bk " + hex(bk) + " != " + hex(expectBk));
                    }
                    checkFreeChunk(v, c, size, top, name, out);
                }
            }
            prev = c;
        }
        if (b.kind() == BinKind.TCACHE && b.count() != b.chunks().size()) {
            out.add(name + ": count " + b.count() + " but " + b.chunks().size() + " entries");
        }
        if (b.kind() >= BinKind.SMALLBIN && (v.binmap(b.index() >> BINMAPSHIFT) & (1 << (b.index() & 31))) == 0) {
            out.add(name + ": non-empty but its binmap bit is clear");
        }
        if (b.kind() == BinKind.LARGEBIN) {
            checkNextsize(v, b, name, out);
        }
    }

    private static boolean isFree(HeapView.State s) {
        return s == HeapView.State.UNSORTED || s == HeapView.State.SMALLBIN || s == HeapView.State.LARGEBIN;
    }

    private static void checkFreeChunk(HeapView v, long c, long size, long top, String name, List<String> out) {
        long next = c + size;
        if ((v.read64(c + 8) & PREV_INUSE) == 0) {
            out.add(name + ": free chunk " + hex(c) + " lacks PREV_INUSE (should have merged backward)");
        }
        if (v.read64(next) != size) {
            out.add(name + ": footer of " + hex(c) + " is " + hex(v.read64(next)) + ", size " + hex(size));
        }
        if ((v.read64(next + 8) & PREV_INUSE) != 0) {
            out.add(name + ": successor of free chunk " + hex(c) + " has PREV_INUSE");
        }
        if (next == top) {
            out.add(name + ": free chunk " + hex(c) + " borders top");
        }
    }

    private static void checkNextsize(HeapView v, HeapView.Bin b, String name, List<String> out) {
        List<Long> cs = b.chunks();
        long lastSize = -1;
        List<Long> heads = new ArrayList<>();
        for (long c : cs) {
            long size = v.read64(c + 8) & ~SIZE_BITS;
            long fdn = v.read64(c + 32);
            if (size != lastSize) {
                heads.add(c);
                if (fdn == 0) {
                    out.add(name + ": group head " + hex(c) + " has no nextsize links");
                }
            } else if (fdn != 0) {
                out.add(name + ": non-head " + hex(c) + " has nextsize links");
            }
            lastSize = size;
        }
        for (int i = 0; i < heads.size(); i++) {
            long h = heads.get(i);
            long expectFd = heads.get((i + 1) % heads.size());
            long expectBk = heads.get((i - 1 + heads.size()) % heads.size());
            if (v.read64(h + 32) != expectFd || v.read64(h + 40) != expectBk) {
                out.add(name + ": nextsize ring broken at " + hex(h));
            }
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
