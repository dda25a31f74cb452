package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.vm.Kernel;

/**
 * Runs the ops of a {@link Trace}, one at a time and in order, in one simulated process: the one
 * interpreter of traces. {@link #onMalloc} calls the allocator straight (the fast way, for replays that
 * only print results); {@link #throughLibC} calls the C library, where the recording agent sees each
 * op as one top-level call. Both keep, per ID, the block it names, by the op's {@link TraceOp.Binding}.
 *
 * <pre>{@code
 * TraceRunner r = TraceRunner.onMalloc(trace, CProcess.create(options));
 * for (int i = 0; i < trace.size(); i++) {
 *     Step s = r.step(i);        // or r.call(i): the result alone, a signal thrown
 * }
 * }</pre>
 */
public final class TraceRunner {
    private final Trace trace;
    private final Malloc malloc;
    private final Kernel kernel;
    private final LibC libc;
    private final boolean freeKeepsPointer;
    /**
     * The block each ID names, {@link #CHUNK} IDs to an array, made at the first ID in its range that
     * names one: a replay read as a stream does not know the largest ID first, and a table of the IDs
     * used costs what the reference harness's table costs where the trace touches it.
     */
    private final long[][] blocks;
    private static final int CHUNK_SHIFT = 16;
    private static final int CHUNK = 1 << CHUNK_SHIFT;
    /** With {@link #namingSites}: each op's {@code file:LINE}, said to LibC before its call. */
    private String[] sites;

    private TraceRunner(Trace trace, Malloc malloc, Kernel kernel, LibC libc, boolean freeKeepsPointer) {
        this(trace, trace.maxId(), malloc, kernel, libc, freeKeepsPointer);
    }

    private TraceRunner(Trace trace, int maxId, Malloc malloc, Kernel kernel, LibC libc, boolean freeKeepsPointer) {
        this.trace = trace;
        this.malloc = malloc;
        this.kernel = kernel;
        this.libc = libc;
        this.freeKeepsPointer = freeKeepsPointer;
        this.blocks = new long[(Math.max(maxId, 0) >>> CHUNK_SHIFT) + 1][];
    }

    /** Runs ops given one at a time ({@link #call(TraceOp, int, long, long)}) with any IDs a trace may have. */
    static TraceRunner onMalloc(CProcess process) {
        return new TraceRunner(null, Trace.MAX_ID, process.malloc(), process.kernel(), null, false);
    }

    /** Runs straight on {@code process}'s allocator (and kernel, for {@code s}): nothing is recorded. */
    public static TraceRunner onMalloc(Trace trace, CProcess process) {
        return new TraceRunner(trace, process.malloc(), process.kernel(), null, false);
    }

    /** Runs through {@code c}, one C call per op, as a program would: a recording agent sees every call. */
    public static TraceRunner throughLibC(Trace trace, LibC c) {
        return new TraceRunner(trace, null, null, c, false);
    }

    /**
     * The same runner, except that {@code f ID} leaves the ID naming the freed block, so a second
     * {@code f ID} frees it again (a double free, as a C program freeing twice does) where the reference
     * harness would free NULL. Call before the first op.
     */
    public TraceRunner freeKeepsPointer() {
        return new TraceRunner(trace, malloc, kernel, libc, true);
    }

    public Trace trace() {
        return trace;
    }

    /**
     * Through LibC, says before each op that the program is at {@code file:LINE} ({@link LibC#site}), so a
     * recording names each call by its trace line ({@code t.rep:12}) rather than by the runner's Java line.
     *
     * @param lines each op's line, as {@link Trace#opLines} gives them
     * @throws IllegalArgumentException if {@code lines} does not have one line per op
     */
    public TraceRunner namingSites(String file, int[] lines) {
        if (lines.length != trace.size()) {
            throw new IllegalArgumentException(lines.length + " lines for " + trace.size() + " operations");
        }
        sites = new String[lines.length];
        for (int i = 0; i < lines.length; i++) {
            sites[i] = file + ":" + lines[i];
        }
        return this;
    }

    /**
     * Runs op {@code i} and returns its result, as {@link TraceOp#returns()} says. A signal the call
     * raises is thrown, the ID's block unchanged.
     */
    public long call(int i) {
        if (sites != null && libc != null) {
            libc.site(sites[i]);
        }
        return call(trace.op(i), trace.id(i), trace.arg1(i), trace.arg2(i));
    }

    /** Runs one op, as {@link #call(int)} runs op {@code i} of the trace. */
    long call(TraceOp op, int id, long arg1, long arg2) {
        if (!op.hasId()) {
            return run(op, 0, arg1, arg2);
        }
        long block = block(id);
        long r = run(op, block, arg1, arg2);
        switch (op.binding()) {
            case ASSIGN -> setBlock(id, r);
            case CLEAR -> setBlock(id, freeKeepsPointer ? block : 0);
            case REALLOC -> {
                if (r != 0 || arg1 == 0 || block == 0) {
                    setBlock(id, r);
                }
            }
            case NONE -> {
            }
        }
        return r;
    }

    private void setBlock(int id, long b) {
        long[] c = blocks[id >>> CHUNK_SHIFT];
        if (c == null) {
            if (b == 0) {
                return; // reads as 0 already
            }
            c = blocks[id >>> CHUNK_SHIFT] = new long[CHUNK];
        }
        c[id & (CHUNK - 1)] = b;
    }

    /** Runs op {@code i} and says what it did; a signal it raises ends up in the step, not thrown. */
    public Step step(int i) {
        TraceOp op = trace.op(i);
        int id = trace.id(i);
        long[] args = op.args(op.hasId() ? block(id) : 0, trace.arg1(i), trace.arg2(i));
        try {
            return new Step(i, op, id, args, call(i), null);
        } catch (SimulatedSignal s) {
            return new Step(i, op, id, args, 0, s);
        }
    }

    /** The block ID {@code id} names now (0 for none). */
    public long block(int id) {
        long[] c = blocks[id >>> CHUNK_SHIFT];
        return c == null ? 0 : c[id & (CHUNK - 1)];
    }

    private long run(TraceOp op, long block, long arg1, long arg2) {
        return libc != null ? op.throughLibC(libc, block, arg1, arg2) : op.onMalloc(malloc, kernel, block, arg1, arg2);
    }
}
