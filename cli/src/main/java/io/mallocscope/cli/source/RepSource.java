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
import io.mallocscope.runtime.trace.ThreadedReplay;
import io.mallocscope.runtime.trace.ThreadedTrace;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceFormatException;
import io.mallocscope.runtime.trace.TraceRunner;

import java.io.ByteArrayOutputStream;
import java.lang.ref.Cleaner;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A malloclab trace replayed in-process, the way {@code OffsetsReplay} replays it: step N is a
 * process that ran the first N operations. Moving forward continues the same process; moving back
 * starts a fresh one (a trace replays at millions of operations a second). A trace has no recorded
 * events: its calls carry what they changed ({@link Changes}) instead.
 *
 * <p>A trace with thread lines ({@code T K}, {@code X K}) is replayed by {@link ThreadedReplay}, a line
 * at a time: step N is the process after its first N lines, thread lines included, each a call of the
 * thread that made it ({@code [t0] pthread_create(…)}, {@code [t1] sched_switch_to(…)},
 * {@code [t1] pthread_exit(0x0)}, an op as {@code [t1] malloc(0x18)}).
 */
final class RepSource implements StateSource {
    /** Traces longer than this get no per-call changes (each needs a heap walk). */
    static final int CHANGES_LIMIT = 20_000;

    private final Trace trace;
    /** Set for a trace with thread lines ({@link #trace} is then its ops). */
    private final ThreadedTrace threaded;
    private final ProcessOptions options;
    private CProcess process;
    private TraceRunner runner;
    /** The run of a threaded trace, waiting before line {@link #done}. */
    private ThreadedReplay replay;
    private Cleaner.Cleanable closeReplay;
    private static final Cleaner CLEANER = Cleaner.create();
    private int done;
    private String signal;
    private List<Op> ops;
    /** The calls read so far, in order, by the walks that record. */
    private final List<Op> recorded = new ArrayList<>();
    private final Changes diff = new Changes();
    /** The last light snapshot a recording walk took (its step says which). */
    private HeapSnapshot light;
    /** What the process printed since its start: glibc's messages (an abort's) and malloc_stats. */
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private RepSource(Inputs.Traced t, ProcessOptions options) {
        this.trace = t.trace();
        this.threaded = t.threaded();
        this.options = options;
    }

    static StateSource open(Path file, Sources.ReplaySettings settings) {
        return open(new Inputs.Input(file, file.toString(), false), settings);
    }

    static StateSource open(Inputs.Input in, Sources.ReplaySettings settings) {
        Inputs.Traced t = Inputs.traced(in);
        return new RepSource(t, Inputs.replayOptions(t.trace(), settings.glibc(), settings.tunables()));
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
        return threaded != null ? threaded.size() : trace.size();
    }

    @Override
    public HeapSnapshot at(int n) {
        return HeapViews.snapshot(n, walk(n, false));
    }

    @Override
    public HeapSnapshot at(int n, Focus focus) {
        return HeapViews.snapshot(n, walk(n, false), focus);
    }

    @Override
    public io.mallocscope.cli.model.ArenaTable arenasAt(int n, Focus focus) {
        return HeapViews.arenas(n, walk(n, false), focus);
    }

    /**
     * The process after step {@code n}, live. Walking forward with it also reads the calls {@link #ops()}
     * returns (with their changes), so a view that asks for the states first and the calls after (the
     * HTML page) replays the trace once.
     */
    @Override
    public CProcess process(int n) {
        return walk(n, true);
    }

    /**
     * The calls, each with what it changed in words (from the heap before and after it, since a
     * trace records no events); above {@link #CHANGES_LIMIT} calls, the calls alone. Continues the walk
     * {@link #process} began.
     */
    @Override
    public List<Op> ops() {
        if (ops == null) {
            walk(steps(), true);
            ops = List.copyOf(recorded);
        }
        return ops;
    }

    @Override
    public String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    /**
     * Moves the process to step {@code n} (from the start if it is past it). With {@code record}, the
     * calls not read yet are read on the way, each with its {@link Changes}.
     */
    private CProcess walk(int n, boolean record) {
        if (process == null || n < done) {
            restart();
        }
        boolean changes = steps() <= CHANGES_LIMIT;
        while (done < n && signal == null) {
            if (!record || done != recorded.size()) {
                step(done, null);
                continue;
            }
            if (threaded != null) {
                ThreadViews before = changes ? ThreadViews.before(done, process, threaded.who(done)) : null;
                step(done, recorded);
                if (changes) {
                    int last = recorded.size() - 1;
                    recorded.set(last, recorded.get(last).withChanges(before.changes(done, process, diff)));
                }
                continue;
            }
            HeapSnapshot before = null;
            if (changes) {
                before = light != null && light.step() == done ? light : HeapViews.light(done, process);
            }
            step(done, recorded);
            if (changes) {
                light = HeapViews.light(done, process);
                int last = recorded.size() - 1;
                recorded.set(last, recorded.get(last).withChanges(diff.between(before, light, Emphasis.PLAIN)));
            }
        }
        return process;
    }

    private void restart() {
        stdout.reset();
        stderr.reset();
        ProcessOptions o = options.withStdout(stdout).withStderr(stderr);
        if (threaded != null) {
            if (closeReplay != null) {
                closeReplay.clean(); // the run of the earlier walk: its threads end
            }
            replay = ThreadedReplay.stepping(threaded, o, false);
            // a source dropped while its run waits (every view's source is) ends the run's threads too
            closeReplay = CLEANER.register(this, replay::close);
            process = replay.process();
        } else {
            process = CProcess.create(o);
            runner = TraceRunner.onMalloc(trace, process);
        }
        done = 0;
        signal = null;
        light = null;
    }

    /** Performs operation {@code i}; when {@code out} is given, adds it as an {@link Op}. */
    private void step(int i, List<Op> out) {
        Step s;
        String who = null;
        if (threaded != null) {
            ThreadedReplay.Line line = replay.next();
            who = "t" + line.thread();
            s = line.step();
            if (s == null) {
                done++;
                if (line.signal() != null) {
                    // a thread line's signal (a thread's end freeing its tcache into bad memory): as an op's
                    signal = line.signal().shellDescription() + ": " + line.signal().getMessage();
                }
                if (out != null) {
                    out.add(threadCall(i, line, who, signal));
                }
                return;
            }
        } else {
            s = runner.step(i);
        }
        done++;
        if (s.signal() != null) {
            signal = s.signal().shellDescription() + ": " + s.signal().getMessage();
        }
        if (out != null) {
            out.add(new Op(i + 1, s.function(), signal != null ? List.of() : args(s), signal != null ? "<" + signal + ">"
                    : result(s), null, s.allocated(), s.freed(), List.of(), List.of(), who));
        }
    }

    /**
     * A thread line as the call that made it: its arguments in hex; pthread_create returns 0, the others
     * nothing. One that raised {@code signal} shows it as a signalling op does: no arguments, {@code <signal>}.
     */
    private static Op threadCall(int i, ThreadedReplay.Line line, String who, String signal) {
        if (signal != null) {
            return new Op(i + 1, line.function(), List.of(), "<" + signal + ">", null, 0, 0, List.of(), List.of(), who);
        }
        List<String> args = new ArrayList<>(line.args().length);
        for (long a : line.args()) {
            args.add(Hex.of(a));
        }
        return new Op(i + 1, line.function(), args, line.function().equals("pthread_create") ? Long.toString(line.result())
                : null, null, 0, 0, List.of(), List.of(), who);
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
