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
     * buffer, if stdio allocated one.
     */
    public List<Leak> stillAllocated() {
        HeapView v = view();
        long tcacheChunk = v.tcache() == 0 ? -1 : v.tcache() - 0x10;
        List<Leak> out = new ArrayList<>();
        for (HeapView.Chunk c : v.chunks()) {
            if (c.state() == HeapView.State.IN_USE && c.size() > 0x10 && c.address() != tcacheChunk) {
                out.add(new Leak(c.mem(), c.size(), c.size() - 8, false, recorder.allocation(c.mem())));
            }
        }
        for (HeapView.Chunk c : v.mmappedChunks()) {
            out.add(new Leak(c.mem(), c.size(), c.size() - 16, true, recorder.allocation(c.mem())));
        }
        return out;
    }

    /** {@link #leaks()} as text, one Valgrind-style loss record per chunk and a summary; "" if none. */
    public String leakReport() {
        return LeakReport.format(leaks(), start());
    }
}
