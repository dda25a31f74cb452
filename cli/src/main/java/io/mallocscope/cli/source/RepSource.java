package io.mallocscope.cli.source;

import io.mallocscope.cli.UserError;
import io.mallocscope.cli.model.Changes;
import io.mallocscope.cli.model.Emphasis;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Op;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.GlibcProfile;
import io.mallocscope.runtime.trace.Step;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceFormatException;
import io.mallocscope.runtime.trace.TraceRunner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A malloclab trace replayed in-process, the way {@code OffsetsReplay} replays it: step N is a
 * process that ran the first N operations. Moving forward continues the same process; moving back
 * starts a fresh one (a trace replays at millions of operations a second). A trace has no recorded
 * events: its calls carry what they changed ({@link Changes}) instead.
 */
final class RepSource implements StateSource {
    /** Traces longer than this get no per-call changes (each needs a heap walk). */
    static final int CHANGES_LIMIT = 20_000;

    private final Trace trace;
    private final ProcessOptions options;
    private CProcess process;
    private TraceRunner runner;
    private int done;
    private String signal;
    private List<Op> ops;

    private RepSource(Trace trace, ProcessOptions options) {
        this.trace = trace;
        this.options = options;
    }

    static StateSource open(Path file, Sources.ReplaySettings settings) {
        return open(new Inputs.Input(file, file.toString(), false), settings);
    }

    static StateSource open(Inputs.Input in, Sources.ReplaySettings settings) {
        Trace trace = Inputs.trace(in);
        return new RepSource(trace, Inputs.replayOptions(trace, settings.glibc(), settings.tunables()));
    }

    @Override
    public Optional<Trace> trace() {
        return Optional.of(trace);
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
        return HeapViews.snapshot(n, processAt(n));
    }

    @Override
    public HeapSnapshot at(int n, Focus focus) {
        return HeapViews.snapshot(n, processAt(n), focus);
    }

    @Override
    public io.mallocscope.cli.model.ArenaTable arenasAt(int n, Focus focus) {
        return HeapViews.arenas(n, processAt(n), focus);
    }

    /** The replayed process after operation {@code n}. */
    private CProcess processAt(int n) {
        if (process == null || n < done) {
            restart();
        }
        while (done < n && signal == null) {
            step(done, null);
        }
        return process;
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
            Changes diff = new Changes();
            HeapSnapshot before = changes ? HeapViews.light(0, process) : null;
            List<Op> out = new ArrayList<>(trace.size());
            while (done < trace.size() && signal == null) {
                step(done, out);
                if (changes) {
                    HeapSnapshot after = HeapViews.light(done, process);
                    int last = out.size() - 1;
                    out.set(last, out.get(last).withChanges(diff.between(before, after, Emphasis.PLAIN)));
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
        runner = TraceRunner.onMalloc(trace, process);
        done = 0;
        signal = null;
    }

    /** Performs operation {@code i}; when {@code out} is given, adds it as an {@link Op}. */
    private void step(int i, List<Op> out) {
        Step s = runner.step(i);
        done++;
        if (s.signal() != null) {
            signal = s.signal().shellDescription() + ": " + s.signal().getMessage();
        }
        if (out != null) {
            out.add(new Op(i + 1, s.function(), signal != null ? List.of() : args(s), signal != null ? "<" + signal + ">"
                    : result(s), null, s.allocated(), s.freed(), List.of()));
        }
    }

    /** The call's arguments: pointers and sizes in hex, counts and ints in decimal. */
    private static List<String> args(Step s) {
        List<String> args = new ArrayList<>(s.args().length);
        for (int k = 0; k < s.args().length; k++) {
            args.add(s.op().argIsHex(k) ? Hex.of(s.arg(k)) : Long.toString(s.arg(k)));
        }
        return args;
    }

    private static String result(Step s) {
        return switch (s.op().returns()) {
            case BLOCK, BREAK -> Hex.of(s.result());
            case INT -> Long.toString(s.result());
            case NOTHING -> null;
        };
    }
}
