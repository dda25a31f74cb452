package io.mallocscope.cli.plot;

import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.HeapView;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A source's heap over its steps, as numbers to plot: the heap's size (the break's extent past the
 * heap's start, plus the other arenas' heaps, plus the bytes malloc mmapped for chunks: glibc's own
 * count, {@code mp_.mmapped_mem}, which mallinfo2 reports as {@code hblkhd}) against the live
 * requested bytes (the sizes the program asked for and has not freed), and the free bytes in each bin
 * class. The malloc lab's peak utilisation (CS:APP 9.9) is the peak of the live payload over the peak
 * heap size.
 *
 * <p>Every arena counts, as glibc's {@code mallinfo2} sums them: a non-main arena's heaps are its
 * {@code system_mem} (its heaps' {@code heap_info} sizes), its bins' free chunks count in their classes,
 * and every live thread's tcache in the tcache class. A source whose process never had a second arena
 * or thread reads as before.
 */
public final class HeapSeries {
    public final int steps;
    /** index = step (0..steps) */
    public final long[] heap;
    public final long[] mmapped;
    /** The non-main arenas' heaps: their {@code system_mem} summed (0 without threads). */
    public final long[] arenas;
    public final long[] live;
    public final Map<BinType, long[]> free = new EnumMap<>(BinType.class);
    public final long peakLive;
    public final long peakHeap;

    private HeapSeries(int steps) {
        this.steps = steps;
        heap = new long[steps + 1];
        mmapped = new long[steps + 1];
        arenas = new long[steps + 1];
        live = new long[steps + 1];
        for (BinType t : BinType.values()) {
            free.put(t, new long[steps + 1]);
        }
        peakLive = 0;
        peakHeap = 0;
    }

    private HeapSeries(HeapSeries s, long peakLive, long peakHeap) {
        this.steps = s.steps;
        this.heap = s.heap;
        this.mmapped = s.mmapped;
        this.arenas = s.arenas;
        this.live = s.live;
        this.free.putAll(s.free);
        this.peakLive = peakLive;
        this.peakHeap = peakHeap;
    }

    /** Whether a step had an arena besides main_arena (then the heap size counts its heaps). */
    public boolean otherArenas() {
        for (long a : arenas) {
            if (a != 0) {
                return true;
            }
        }
        return false;
    }

    /** Peak live payload over peak heap size, 0 when the heap never grew. */
    public double utilisation() {
        return peakHeap == 0 ? 0 : (double) peakLive / peakHeap;
    }

    /** Reads every step of {@code s} (the heap rebuilt at each one). */
    public static HeapSeries of(StateSource s) {
        return of(s, s.steps());
    }

    /** Reads steps {@code 0..last} of {@code s} (a page that holds only the first calls). */
    public static HeapSeries of(StateSource s, int last) {
        return of(s, last, (snap, n) -> { });
    }

    /** Reads steps {@code 0..last} of {@code s}, handing each step's snapshot to {@code each} too (one walk for two uses). */
    public static HeapSeries of(StateSource s, int last, java.util.function.ObjIntConsumer<HeapSnapshot> each) {
        Builder b = new Builder(s.ops());
        for (int n = 0; n <= last; n++) {
            HeapSnapshot snap = s.at(n);
            each.accept(snap, n);
            b.step(snap, s.process(n));
        }
        return b.build(last);
    }

    /**
     * The series filled step by step, from step 0, by a walk that rebuilds the process itself (the HTML
     * page's), so the page's charts are these numbers without a second rebuild. It holds only the steps
     * walked so far (a page refused for its size has not made room for all of its calls).
     */
    public static final class Builder {
        private final List<Op> ops;
        private final List<HeapSeries> steps = new java.util.ArrayList<>();

        /** For the calls {@code ops}. */
        public Builder(List<Op> ops) {
            this.ops = ops;
        }

        /** The next step: {@code snap} is main_arena's and the main thread's state in {@code p}, read now. */
        public void step(HeapSnapshot snap, CProcess p) {
            HeapSeries h = new HeapSeries(0);
            long brkExtent = snap.heapStart() == 0 || snap.brk() == 0 ? 0 : snap.brk() - snap.heapStart();
            for (Bin b : snap.bins()) {
                long bytes = 0;
                for (long c : b.chunks()) {
                    bytes += snap.memory().read64(c + 8) & ~7L;
                }
                h.free.get(b.type())[0] += bytes;
            }
            HeapView main = p.malloc().view();
            // glibc's own count of the mappings it made for chunks (mp_.mmapped_mem, mallinfo2's hblkhd)
            long mm = main.params().mmappedMem();
            h.arenas[0] = otherArenasAndThreads(p, main, h, 0);
            h.heap[0] = brkExtent + h.arenas[0] + mm;
            h.mmapped[0] = mm;
            steps.add(h);
        }

        /** Steps {@code 0..last}, each walked. */
        public HeapSeries build(int last) {
            HeapSeries h = new HeapSeries(last);
            long[] live = live(ops, last);
            long peakLive = 0;
            long peakHeap = 0;
            for (int n = 0; n <= last; n++) {
                HeapSeries one = steps.get(n);
                h.heap[n] = one.heap[0];
                h.mmapped[n] = one.mmapped[0];
                h.arenas[n] = one.arenas[0];
                for (BinType t : BinType.values()) {
                    h.free.get(t)[n] = one.free.get(t)[0];
                }
                h.live[n] = live[n];
                peakLive = Math.max(peakLive, live[n]);
                peakHeap = Math.max(peakHeap, h.heap[n]);
            }
            return new HeapSeries(h, peakLive, peakHeap);
        }
    }

    /**
     * What the snapshot of main_arena and the main thread's tcache leaves out, as mallinfo2 counts it:
     * adds the free chunks of every other arena's bins and of every other live thread's tcache to
     * {@code h}'s classes at step {@code n}; returns the other arenas' {@code system_mem} summed.
     */
    private static long otherArenasAndThreads(CProcess p, HeapView main, HeapSeries h, int n) {
        long[] threads = p.libc().threadPointers();
        List<HeapView.Arena> all = main.arenas();
        if (all.size() <= 1 && threads.length <= 1) {
            return 0;
        }
        long system = 0;
        for (HeapView.Arena a : all) {
            if (!a.main()) {
                system += a.systemMem();
                addFree(p, HeapView.of(p.malloc(), a.address(), 0), false, h, n);
            }
        }
        for (int k = 1; k < threads.length; k++) {
            if (threads[k] != 0) {
                addFree(p, HeapView.of(p.malloc(), main.mainArena(), threads[k]), true, h, n);
            }
        }
        return system;
    }

    /** Adds the free bytes of {@code v}'s tcache bins ({@code tcache}) or of its arena's bins. */
    private static void addFree(CProcess p, HeapView v, boolean tcache, HeapSeries h, int n) {
        for (HeapView.Bin b : v.bins()) {
            BinType t = BinType.of(b.kind());
            if ((t == BinType.TCACHE) != tcache) {
                continue;
            }
            long bytes = 0;
            for (long c : b.chunks()) {
                bytes += p.memory().read64(c + 8) & ~7L;
            }
            h.free.get(t)[n] += bytes;
        }
    }

    /**
     * The live requested bytes after each of steps {@code 0..last} of {@code ops}: what the program asked
     * for and has not given back (a realloc's old block given back, its new size asked for).
     */
    public static long[] live(List<Op> ops, int last) {
        long[] out = new long[last + 1];
        Map<Long, Long> requested = new HashMap<>();
        long live = 0;
        for (int n = 1; n <= last; n++) {
            Op op = ops.get(n - 1);
            if (op.freed() != 0) {
                Long was = requested.remove(op.freed());
                live -= was == null ? 0 : was;
            }
            if (op.mem() != 0) {
                long r = requestOf(op);
                Long was = requested.put(op.mem(), r);
                live += r - (was == null ? 0 : was);
            }
            out[n] = live;
        }
        return out;
    }

    /** The bytes a call asked for: malloc's n, calloc's n×size, realloc's new size, memalign's size. */
    static long requestOf(Op op) {
        List<String> a = op.args();
        try {
            return switch (op.function()) {
                case "malloc", "valloc", "pvalloc" -> num(a.get(0));
                case "calloc" -> num(a.get(0)) * num(a.get(1));
                case "realloc" -> num(a.get(1));
                case "reallocarray" -> num(a.get(1)) * num(a.get(2));
                case "memalign", "aligned_alloc" -> num(a.get(1));
                case "posix_memalign" -> num(a.get(2));
                default -> 0;
            };
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long num(String s) {
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }
}
