package io.mallocscope.cli.source;

import io.mallocscope.cli.UserError;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.model.Transition;
import io.mallocscope.cli.render.DiffRenderer;
import io.mallocscope.cli.render.Hex;
import io.mallocscope.cli.render.Style;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceFormatException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A malloclab trace replayed in-process, the way {@code OffsetsReplay} replays it: step N is a
 * process that ran the first N operations. Moving forward continues the same process; moving back
 * starts a fresh one (a trace replays at millions of operations a second). A trace has no recorded
 * transitions: its calls come without them.
 */
final class RepSource implements StateSource {
    /** Traces longer than this get no per-call changes (each needs a heap walk). */
    static final int CHANGES_LIMIT = 20_000;
    /** The transition kind of a change read off two heap states. */
    static final String CHANGE = "change";

    private final Trace trace;
    private final ProcessOptions options;
    private CProcess process;
    private long[] ptrs;
    private int done;
    private String signal;
    private List<Op> ops;

    private RepSource(Trace trace, ProcessOptions options) {
        this.trace = trace;
        this.options = options;
    }

    static StateSource open(Path file, Sources.ReplaySettings settings) {
        Trace trace;
        try {
            trace = Trace.read(file);
        } catch (TraceFormatException e) {
            throw UserError.data(e.getMessage());
        } catch (IOException e) {
            throw UserError.data(file + ": " + e.getMessage());
        }
        ProcessOptions o = ProcessOptions.defaults().withGlibc(settings.glibc())
                .withTunables(trace.tunables() != null ? trace.tunables() : settings.tunables())
                .withStdout(OutputStream.nullOutputStream()).withStderr(OutputStream.nullOutputStream());
        try {
            CProcess.create(o);
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
        return new RepSource(trace, o);
    }

    @Override
    public String name() {
        return trace.name();
    }

    @Override
    public int steps() {
        return trace.size();
    }

    @Override
    public HeapSnapshot at(int n) {
        if (process == null || n < done) {
            restart();
        }
        while (done < n && signal == null) {
            step(done, null);
        }
        return HeapViews.snapshot(n, process);
    }

    /**
     * The calls, each with what it changed in words (from the heap before and after it, since a
     * trace records no transitions); above {@link #CHANGES_LIMIT} calls, the calls alone.
     */
    @Override
    public List<Op> ops() {
        if (ops == null) {
            restart();
            boolean changes = trace.size() <= CHANGES_LIMIT;
            DiffRenderer diff = new DiffRenderer();
            HeapSnapshot before = changes ? HeapViews.light(0, process) : null;
            List<Op> out = new ArrayList<>(trace.size());
            while (done < trace.size() && signal == null) {
                step(done, out);
                if (changes) {
                    HeapSnapshot after = HeapViews.light(done, process);
                    List<Transition> ts = new ArrayList<>();
                    for (String line : diff.changes(before, after, Style.PLAIN)) {
                        ts.add(Transition.text(CHANGE, line));
                    }
                    Op op = out.get(out.size() - 1);
                    out.set(out.size() - 1, new Op(op.number(), op.function(), op.args(), op.result(), op.site(),
                            op.mem(), op.freed(), ts));
                    before = after;
                }
            }
            ops = out;
            process = null;
        }
        return ops;
    }

    private void restart() {
        process = CProcess.create(options);
        ptrs = new long[trace.maxId() + 1];
        done = 0;
        signal = null;
    }

    /** Performs operation {@code i}; when {@code out} is given, adds it as an {@link Op}. */
    private void step(int i, List<Op> out) {
        Malloc m = process.malloc();
        int id = trace.id(i);
        long x = trace.arg1(i);
        long y = trace.arg2(i);
        String fn;
        List<String> args;
        String result = null;
        long mem = 0;
        long freed = 0;
        try {
            switch (trace.op(i)) {
                case Trace.MALLOC -> {
                    fn = "malloc";
                    args = List.of(Hex.of(x));
                    mem = ptrs[id] = m.malloc(x);
                    result = Hex.of(mem);
                }
                case Trace.FREE -> {
                    fn = "free";
                    freed = ptrs[id];
                    args = List.of(Hex.of(freed));
                    m.free(freed);
                    ptrs[id] = 0;
                }
                case Trace.REALLOC -> {
                    fn = "realloc";
                    long old = ptrs[id];
                    args = List.of(Hex.of(old), Hex.of(x));
                    long r = m.realloc(old, x);
                    if (r != 0 || x == 0 || old == 0) {
                        ptrs[id] = r;
                    }
                    mem = r;
                    freed = r != old ? old : 0;
                    result = Hex.of(r);
                }
                case Trace.CALLOC -> {
                    fn = "calloc";
                    args = List.of("1", Hex.of(x));
                    mem = ptrs[id] = m.calloc(1, x);
                    result = Hex.of(mem);
                }
                case Trace.MEMALIGN -> {
                    fn = "memalign";
                    args = List.of(Hex.of(x), Hex.of(y));
                    mem = ptrs[id] = m.memalign(x, y);
                    result = Hex.of(mem);
                }
                case Trace.TRIM -> {
                    fn = "malloc_trim";
                    args = List.of(Hex.of(x));
                    result = Integer.toString(m.mallocTrim(x));
                }
                case Trace.MALLOPT -> {
                    fn = "mallopt";
                    args = List.of(Long.toString((int) x), Long.toString((int) y));
                    result = Integer.toString(m.mallopt((int) x, (int) y));
                }
                case Trace.SBRK -> {
                    fn = "sbrk";
                    args = List.of(Long.toString(x));
                    result = Hex.of(process.kernel().sbrk(x));
                }
                default -> throw new IllegalStateException("trace op " + (char) trace.op(i));
            }
        } catch (SimulatedSignal s) {
            signal = s.shellDescription() + ": " + s.getMessage();
            fn = opName(trace.op(i));
            args = List.of();
            result = null;
        }
        done++;
        if (out != null) {
            out.add(new Op(i + 1, fn, args, signal != null ? "<" + signal + ">" : result, null, mem,
                    freed, List.of()));
        }
    }

    private static String opName(byte op) {
        return switch (op) {
            case Trace.MALLOC -> "malloc";
            case Trace.FREE -> "free";
            case Trace.REALLOC -> "realloc";
            case Trace.CALLOC -> "calloc";
            case Trace.MEMALIGN -> "memalign";
            case Trace.TRIM -> "malloc_trim";
            case Trace.MALLOPT -> "mallopt";
            default -> "sbrk";
        };
    }
}
