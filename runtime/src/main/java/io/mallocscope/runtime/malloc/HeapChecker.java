package io.mallocscope.runtime.malloc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

    public static List<String> check(Malloc malloc) {
        return check(HeapView.of(malloc), malloc);
    }

    static List<String> check(HeapView v, Malloc m) {
        List<String> out = new ArrayList<>();
        if (!v.initialized()) {
            return out;
        }
        if (v.corrupt()) {
            out.add("a walk was cut short: the heap looks corrupted");
        }
        long top = v.top();
        long topSize = v.topSize();
        if (v.heapStart() != 0) {
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
        long gmf = v.params().globalMaxFast();
        // ---- bins
        Set<Long> inBins = new HashSet<>();
        for (HeapView.Bin b : v.bins()) {
            String name = b.kindName() + "[" + b.index() + "]";
            long prev = -1;
            long prevSize = Long.MAX_VALUE;
            for (long c : b.chunks()) {
                long size = v.read64(c + 8) & ~SIZE_BITS;
                if (!inBins.add(c)) {
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
        Set<Long> walked = new HashSet<>();
        for (HeapView.Chunk hc : chunks) {
            walked.add(hc.address());
        }
        for (long c : inBins) {
            // 2.43 with a large tcache_max keeps freed mmapped chunks mapped in its large bins
            if (!walked.contains(c) && (v.read64(c + 8) & IS_MMAPPED) == 0) {
                out.add("binned chunk " + hex(c) + " is not on the chunk walk");
            }
        }
        if (v.contiguous() && Long.compareUnsigned(total, v.systemMem()) > 0) {
            out.add("chunks total " + hex(total) + " above system_mem " + hex(v.systemMem()));
        }
        return out;
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
