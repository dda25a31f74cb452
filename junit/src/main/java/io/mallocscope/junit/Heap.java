package io.mallocscope.junit;

import io.mallocscope.runtime.AllocationListener;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.HeapView;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A test's handle on one simulated process's heap: fresh {@link HeapView}s of the allocator's state,
 * heap-relative offsets, and a leak report in the style of Valgrind's "definitely lost" records.
 *
 * <p>Call sites. The first Heap of a process registers an {@link AllocationListener} on its LibC, which
 * from then on remembers, for every block still allocated, the function that allocated it and the
 * program's stack at that call, whether the program called {@code c.malloc} itself or went through
 * code of its own. {@link SimulatedProcess} does this as it creates the process, so every block is
 * covered. Whether a chunk is leaked is always decided by walking the heap itself, so a chunk allocated
 * before recording began is reported too, without a call site.
 */
public final class Heap {
    /** The recorder of each live process; the values must not refer to their keys. */
    private static final Map<CProcess, CallSiteRecorder> RECORDERS = Collections.synchronizedMap(new WeakHashMap<>());

    private final CProcess process;
    private final CallSiteRecorder recorder;

    private Heap(CProcess process, CallSiteRecorder recorder) {
        this.process = process;
        this.recorder = recorder;
    }

    /** The Heap of {@code libc}'s process. Every Heap of one process shares its record of live blocks. */
    public static Heap track(LibC libc) {
        return of(libc.process());
    }

    /**
     * The Heap of {@code process}. The first one starts recording the process's allocations; every Heap
     * of one process shares that record.
     */
    public static Heap of(CProcess process) {
        return new Heap(process, RECORDERS.computeIfAbsent(process, p -> {
            CallSiteRecorder r = new CallSiteRecorder();
            p.libc().addAllocationListener(r);
            return r;
        }));
    }

    public CProcess process() {
        return process;
    }

    /** The record of live and recently freed blocks this Heap shares with the process's other Heaps. */
    CallSiteRecorder recorder() {
        return recorder;
    }

    public LibC libc() {
        return process.libc();
    }

    /** The allocator's state now. Take a new view after the heap changes. */
    public HeapView view() {
        return process.malloc().view();
    }

    /**
     * Where the heap starts: the initial program break, where the tcache chunk sits and from which the
     * first {@code malloc(24)} lands at +0x2a0.
     */
    public long start() {
        return process.kernel().startBrk();
    }

    /** {@code pointer - start()}: the offset a course asks students to predict. */
    public long offset(long pointer) {
        return pointer - start();
    }

    // ---------------------------------------------------------------- the malloc family, as before

    /**
     * {@code malloc(size)}.
     *
     * @deprecated call {@link LibC#malloc} directly: its call site is recorded all the same
     */
    @Deprecated(since = "0.1.0")
    public long malloc(long size) {
        return libc().malloc(size);
    }

    /**
     * {@code calloc(nmemb, size)}.
     *
     * @deprecated call {@link LibC#calloc} directly: its call site is recorded all the same
     */
    @Deprecated(since = "0.1.0")
    public long calloc(long nmemb, long size) {
        return libc().calloc(nmemb, size);
    }

    /**
     * {@code realloc(ptr, size)}.
     *
     * @deprecated call {@link LibC#realloc} directly: its call site is recorded all the same
     */
    @Deprecated(since = "0.1.0")
    public long realloc(long ptr, long size) {
        return libc().realloc(ptr, size);
    }

    /**
     * {@code strdup(s)}.
     *
     * @deprecated call {@link LibC#strdup(String)} directly: its call site is recorded all the same
     */
    @Deprecated(since = "0.1.0")
    public long strdup(String s) {
        return libc().strdup(s);
    }

    /**
     * {@code free(ptr)}.
     *
     * @deprecated call {@link LibC#free} directly
     */
    @Deprecated(since = "0.1.0")
    public void free(long ptr) {
        libc().free(ptr);
    }

    /**
     * Every block allocated since recording began and not released, oldest first, stdout's buffer
     * included; what the program does with LibC's malloc family, whichever code made the call.
     */
    public List<Allocation> trackedAllocations() {
        return recorder.allocations();
    }

    // ---------------------------------------------------------------- leaks

    /**
     * Every chunk the program has leaked, in address order (heap chunks, then mmapped chunks): the
     * chunks still allocated ({@link #stillAllocated()}) except the buffer stdio allocated for stdout,
     * which glibc keeps until exit and which Valgrind counts as "still reachable", not lost.
     */
    public List<Leak> leaks() {
        List<Leak> out = new ArrayList<>();
        for (Leak l : stillAllocated()) {
            if (l.allocation() == null || !AllocationListener.STDIO_BUFFER.equals(l.allocation().function())) {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * Every chunk still allocated, in address order (heap chunks, then mmapped chunks): the heap walk's
     * in-use chunks, leaving out the allocator's own tcache chunk and the end-of-segment fenceposts.
     * Chunks in the tcache or a fastbin count as free, as they are for the program. Includes stdout's
     * buffer, if stdio allocated one. When a free list is corrupt (see {@link #corruption()}), the
     * chunks the program freed that the walk can no longer reach through it are not counted: they
     * are free, not leaked.
     */
    public List<Leak> stillAllocated() {
        HeapView v = view();
        long tcacheChunk = v.tcache() == 0 ? -1 : v.tcache() - 0x10;
        List<Leak> out = new ArrayList<>();
        for (HeapView.Chunk c : v.chunks()) {
            if (c.state() == HeapView.State.IN_USE && c.size() > 0x10 && c.address() != tcacheChunk) {
                Allocation a = recorder.allocation(c.mem());
                if (a == null && v.corrupt() && recorder.freed(c.mem()) != null) {
                    continue; // freed, cut off from its list by the corruption
                }
                out.add(new Leak(c.mem(), c.size(), c.size() - 8, false, a));
            }
        }
        for (HeapView.Chunk c : v.mmappedChunks()) {
            out.add(new Leak(c.mem(), c.size(), c.size() - 16, true, recorder.allocation(c.mem())));
        }
        return out;
    }

    /**
     * What is wrong with the free lists, one line each, or "" when every list walks to its end: for
     * each corrupt list, the chunk whose link was overwritten (written after it was freed), where it
     * was freed, and where the bad link points.
     */
    public String corruption() {
        HeapView v = view();
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder();
        for (HeapView.Bin b : v.bins()) {
            if (!b.corrupt()) {
                continue;
            }
            sb.append(describeCorruptBin(b)).append(nl);
        }
        v.chunkWalkProblem().ifPresent(p -> sb.append("the chunk walk of the heap stopped: ").append(p).append(nl));
        return sb.toString();
    }

    /** One corrupt bin in words: which list, which chunk's link, where that chunk was freed. */
    String describeCorruptBin(HeapView.Bin b) {
        String list = binName(b);
        boolean tcache = b.kind() == io.mallocscope.runtime.malloc.BinKind.TCACHE;
        String bad = "0x" + Long.toHexString(b.badLink());
        if (b.chunks().isEmpty()) {
            return "the free list of " + list + " is corrupt: its head " + bad + " is not a chunk";
        }
        long last = b.chunks().get(b.chunks().size() - 1) + 0x10; // user pointer of the chunk whose link is bad
        if (b.chunks().contains(tcache ? b.badLink() - 0x10 : b.badLink())) {
            return "the free list of " + list + " is corrupt: it loops, " + BinAssert.describe(this, last)
                    + " links back to " + BinAssert.describe(this, tcache ? b.badLink() : b.badLink() + 0x10)
                    + " (a block freed twice?)";
        }
        StringBuilder sb = new StringBuilder("the free list of " + list + " is corrupt: 0x" + Long.toHexString(last)
                + " (" + BinAssert.describe(this, last) + ") was written after free: its link now points to " + bad);
        CallSiteRecorder.Freed f = recorder.freed(last);
        if (f != null) {
            sb.append("; it was freed at ").append(f.stack().isEmpty() ? "?" : f.stack().get(0))
                    .append(" and allocated at ").append(f.allocation().callSite());
        }
        return sb.toString();
    }

    /** glibc's name of a bin: {@code tcache[0x20]}, {@code fastbin[0x30]}, {@code unsortedbin}, … */
    static String binName(HeapView.Bin b) {
        return switch (b.kind()) {
            case io.mallocscope.runtime.malloc.BinKind.UNSORTED -> "unsortedbin";
            default -> b.kindName() + "[0x" + Long.toHexString(b.chunkSize()) + "]";
        };
    }

    /**
     * {@link #leaks()} as text, Valgrind-style loss records (one per allocation stack, definitely lost
     * apart from indirectly lost) and a summary, after what is wrong with the free lists if anything
     * is; "" if nothing is leaked and no list is corrupt.
     */
    public String leakReport() {
        return corruption() + LeakReport.format(leaks(), start(), process.memory());
    }
}
