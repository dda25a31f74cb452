package io.mallocscope.junit;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.HeapView;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A test's handle on one simulated process's heap: fresh {@link HeapView}s of the allocator's state,
 * heap-relative offsets, and a leak report in the style of Valgrind's "definitely lost" records.
 *
 * <p>Call sites. {@link LibC} is final and reports its calls to nobody, so a Heap can name the line
 * that allocated a chunk only when the allocation went through the Heap's own {@link #malloc},
 * {@link #calloc}, {@link #realloc}, {@link #strdup} and {@link #free}, which call the process's LibC
 * and record where they were called from. Whether a chunk is leaked is always decided by walking the
 * heap itself, so chunks allocated by calling LibC directly are reported too, without a call site.
 */
public final class Heap {
    /** The allocation log of each live process; the values must not refer to their keys. */
    private static final Map<CProcess, Map<Long, Allocation>> LOGS = Collections.synchronizedMap(new WeakHashMap<>());
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final String RUNTIME_PACKAGE = "io.mallocscope.runtime.";

    private final CProcess process;
    private final Map<Long, Allocation> live;

    private Heap(CProcess process, Map<Long, Allocation> live) {
        this.process = process;
        this.live = live;
    }

    /** The Heap of {@code libc}'s process. Every Heap of one process shares its allocation log. */
    public static Heap track(LibC libc) {
        return of(libc.process());
    }

    /** The Heap of {@code process}. Every Heap of one process shares its allocation log. */
    public static Heap of(CProcess process) {
        return new Heap(process, LOGS.computeIfAbsent(process, p -> new LinkedHashMap<>()));
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

    // ---------------------------------------------------------------- tracked malloc family

    /** {@code malloc(size)}, remembering the caller. */
    public long malloc(long size) {
        return record(libc().malloc(size), size, "malloc");
    }

    /** {@code calloc(nmemb, size)}, remembering the caller. */
    public long calloc(long nmemb, long size) {
        return record(libc().calloc(nmemb, size), nmemb * size, "calloc");
    }

    /** {@code realloc(ptr, size)}, remembering the caller of the new block. */
    public long realloc(long ptr, long size) {
        long p = libc().realloc(ptr, size);
        if (p != 0 || size == 0) {
            live.remove(ptr);
        }
        return record(p, size, "realloc");
    }

    /** {@code strdup(s)}, remembering the caller. */
    public long strdup(String s) {
        return record(libc().strdup(s), s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1L, "strdup");
    }

    /** {@code free(ptr)}. */
    public void free(long ptr) {
        libc().free(ptr);
        live.remove(ptr);
    }

    /** The allocations made through this Heap and not freed through it, oldest first. */
    public List<Allocation> trackedAllocations() {
        return List.copyOf(live.values());
    }

    private long record(long p, long size, String function) {
        if (p != 0) {
            live.put(p, new Allocation(p, size, function, callSite()));
        }
        return p;
    }

    private static String callSite() {
        return WALKER.walk(frames -> frames
                .filter(f -> f.getDeclaringClass() != Heap.class && !f.getClassName().startsWith(RUNTIME_PACKAGE))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse("?"));
    }

    // ---------------------------------------------------------------- leaks

    /**
     * Every chunk still allocated, in address order (heap chunks, then mmapped chunks): the heap walk's
     * in-use chunks, leaving out the allocator's own tcache chunk and the end-of-segment fenceposts.
     * Chunks in the tcache or a fastbin count as free, as they are for the program.
     */
    public List<Leak> leaks() {
        HeapView v = view();
        long tcacheChunk = v.tcache() == 0 ? -1 : v.tcache() - 0x10;
        List<Leak> out = new ArrayList<>();
        for (HeapView.Chunk c : v.chunks()) {
            if (c.state() == HeapView.State.IN_USE && c.size() > 0x10 && c.address() != tcacheChunk) {
                out.add(new Leak(c.mem(), c.size(), c.size() - 8, false, live.get(c.mem())));
            }
        }
        for (HeapView.Chunk c : v.mmappedChunks()) {
            out.add(new Leak(c.mem(), c.size(), c.size() - 16, true, live.get(c.mem())));
        }
        return out;
    }

    /** {@link #leaks()} as text, one Valgrind-style loss record per chunk and a summary; "" if none. */
    public String leakReport() {
        return LeakReport.format(leaks(), start());
    }
}
