package io.mallocscope.cli.source;

import io.mallocscope.cli.UserError;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.model.EventText;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.Checkpoints;
import io.mallocscope.runtime.timeline.Reconstructor;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A recorded timeline: its calls come from the file, its states from the timeline package's
 * {@link Reconstructor} (which replays the recorded calls and writes on a fresh process).
 */
final class TimelineSource implements StateSource {
    private final Timeline timeline;
    private final Path file;
    private Reconstructor reconstructor;
    private List<Op> ops;
    private Consumer<String> notes = line -> { };
    private boolean checkpointsTried;
    private boolean checkpointProblemSaid;

    private TimelineSource(Timeline timeline, Path file) {
        this.timeline = timeline;
        this.file = file;
        this.reconstructor = new Reconstructor(timeline);
    }

    static StateSource open(Path file, Sources.ReplaySettings settings) {
        try {
            return new TimelineSource(Timeline.read(file), file);
        } catch (IOException e) {
            throw UserError.data(e.getMessage() != null && e.getMessage().contains(file.toString()) ? e.getMessage()
                    : file + ": " + e.getMessage());
        }
    }

    @Override
    public Optional<Timeline> timeline() {
        return Optional.of(timeline);
    }

    @Override
    public String name() {
        return timeline.header().program().isEmpty() ? "the timeline" : "the timeline of " + timeline.header().program();
    }

    @Override
    public int steps() {
        return timeline.steps();
    }

    @Override
    public HeapSnapshot at(int n) {
        HeapSnapshot s = HeapViews.snapshot(n, process(n));
        sayCheckpointProblem();
        return s;
    }

    @Override
    public HeapSnapshot at(int n, Focus focus, Detail detail) {
        if (detail == Detail.ALL) {
            return focus.isDefault() ? at(n) : at(n, focus);
        }
        if (focus.isDefault()) {
            HeapSnapshot s = HeapViews.snapshot(n, process(n), focus, detail);
            sayCheckpointProblem();
            return s;
        }
        try {
            return HeapViews.snapshot(n, rebuilt(n, focus), focus, detail);
        } catch (IllegalArgumentException e) {
            throw UserError.data("cannot rebuild the recorded process: " + e.getMessage());
        }
    }

    /**
     * The run at step {@code n}; a process the recording has but the replay could not make ({@code --pid}
     * of a child whose fork failed to replay) is one line with the replay's reason, as the story says it.
     */
    private CProcess rebuilt(int n, Focus focus) {
        CProcess root = reconstructor.stateAt(n);
        Integer pid = focus.pid();
        if (pid != null && timeline.pids().contains(pid) && reconstructor.problem().isPresent()
                && root.processes().stream().noneMatch(p -> p.pid() == pid)) {
            throw UserError.data("cannot show process " + pid + " at step " + n + ": " + reconstructor.problem().get());
        }
        return root;
    }

    private void sayCheckpointProblem() {
        if (!checkpointProblemSaid && reconstructor.checkpointProblem().isPresent()) {
            checkpointProblemSaid = true;
            notes.accept("warning: " + reconstructor.checkpointProblem().get());
        }
    }

    @Override
    public CProcess process(int n) {
        prepareTimeTravel();
        try {
            return reconstructor.stateAt(n);
        } catch (IllegalArgumentException e) {
            throw UserError.data("cannot rebuild the recorded process: " + e.getMessage());
        }
    }

    @Override
    public void noteTo(Consumer<String> sink) {
        notes = sink;
        timeline.checkpointNote().ifPresent(n -> sink.accept("warning: " + n));
    }

    /**
     * A timeline long enough for rebuilding from step 0 to cost (at least {@link Checkpoints#WORTH_IT}
     * steps) and without a usable side file gets one now, once, said in one line; a side file that
     * cannot be written is said too, and every step is then rebuilt from step 0 as before.
     */
    @Override
    public void prepareTimeTravel() {
        if (checkpointsTried || timeline.checkpoints().isPresent() || timeline.steps() < Checkpoints.WORTH_IT
                || !Files.isRegularFile(file)) {
            return;
        }
        checkpointsTried = true;
        Path side = Checkpoints.sideFile(file);
        try {
            int n = timeline.writeCheckpoints(file, Checkpoints.DEFAULT_EVERY);
            reconstructor.close(); // its replayed threads and processes end; the new one starts from checkpoints
            reconstructor = new Reconstructor(timeline);
            notes.accept("wrote " + side + " (" + n + " checkpoints, one every " + Checkpoints.DEFAULT_EVERY
                    + " steps): views of any step of " + file.getFileName() + " now start from the nearest one");
        } catch (IOException | UncheckedIOException e) {
            notes.accept("warning: cannot write " + side + " (" + e.getMessage() + "): every view of "
                    + file.getFileName() + " rebuilds its steps from step 0");
        } catch (IllegalArgumentException e) {
            throw UserError.data("cannot rebuild the recorded process: " + e.getMessage());
        }
    }

    @Override
    public HeapSnapshot at(int n, Focus focus) {
        try {
            return HeapViews.snapshot(n, rebuilt(n, focus), focus);
        } catch (IllegalArgumentException e) {
            throw UserError.data("cannot rebuild the recorded process: " + e.getMessage());
        }
    }

    @Override
    public io.mallocscope.cli.model.ArenaTable arenasAt(int n, Focus focus) {
        try {
            return HeapViews.arenas(n, rebuilt(n, focus), focus);
        } catch (IllegalArgumentException e) {
            throw UserError.data("cannot rebuild the recorded process: " + e.getMessage());
        }
    }

    @Override
    public Optional<String> damage() {
        if (timeline.problem().isPresent()) {
            return Optional.of("the timeline is readable only up to step " + timeline.steps() + ": "
                    + timeline.problem().get());
        }
        return Optional.empty();
    }

    /**
     * Without recorded writes the program's own bytes are missing from every rebuilt state: said once,
     * with the first call whose replayed result differs from the recorded one (the whole timeline is
     * replayed to find it). A header without a {@code record} field (hand-written) claims everything.
     */
    @Override
    public Optional<String> rebuildWarning() {
        TimelineHeader h = timeline.header();
        String record = h.get(TimelineHeader.RECORD);
        if (record.isEmpty() || h.recorded("writes") || !h.recorded("calls")) {
            return Optional.empty();
        }
        Optional<String> departure;
        try (Reconstructor whole = new Reconstructor(timeline)) {
            departure = whole.firstDeparture();
        } catch (IllegalArgumentException e) {
            throw UserError.data("cannot rebuild the recorded process: " + e.getMessage());
        }
        return Optional.of("was recorded without writes (record=" + record + "), so the bytes the program stored "
                + "are not rebuilt; " + departure.map(d -> "the rebuilt process departs from the recording at " + d)
                .orElse("every call's result matches the recording"));
    }

    @Override
    public List<Op> ops() {
        if (ops == null) {
            ops = new java.util.AbstractList<>() {
                @Override
                public Op get(int index) {
                    return TimelineOps.op(timeline, index + 1);
                }

                @Override
                public int size() {
                    return timeline.steps();
                }
            };
        }
        return ops;
    }

    /** Turns the events of a timeline into numbered calls with the events inside each. */
    static final class TimelineOps {
        private TimelineOps() {
        }

        /** Step {@code step}'s call, read from the timeline. */
        static Op op(Timeline t, int step) {
            int first = t.callOfStep(step);
            int end = t.endOfStep(step);
            Event call = t.event(first);
            List<Event> ts = new ArrayList<>();
            String result = null;
            boolean returned = false;
            for (int i = first + 1; i < end; i++) {
                EventKind k = t.kind(i);
                if (t.depth(i) == 0) {
                    if (k == EventKind.RETURN) {
                        returned = true;
                        Event r = t.event(i);
                        if (r.signal() >= 0) {
                            result = r.signal() == 6 ? "<SIGABRT>" : r.signal() == 11 ? "<SIGSEGV>" : "<exception>";
                        } else if (r.hasRet() && Functions.hasResult(call.fn())) {
                            result = Functions.isPointerResult(call.fn()) ? Hex.of(r.ret()) : EventText.number(r.ret());
                        }
                    }
                    if (k != EventKind.ABORT && k != EventKind.SEGV && !k.isFileEvent()) {
                        continue;
                    }
                }
                if (k == EventKind.WRITE || k == EventKind.OUTPUT) {
                    continue; // bytes the program stored or printed: not something malloc did
                }
                ts.add(t.event(i));
            }
            if (!returned && step == t.steps() && t.problem().isPresent()) {
                result = "<the recording stops here>";
            }
            long[] a = call.args();
            List<String> args = EventText.args(call);
            int fn = call.fn();
            long mem = Functions.isPointerResult(fn) && fn != Functions.SBRK && fn != Functions.MMAP
                    && fn != Functions.MREMAP && fn != Functions.SYS_BRK && result != null && result.startsWith("0x")
                    ? Long.parseUnsignedLong(result.substring(2), 16) : 0;
            long freed = fn == Functions.FREE ? a[0] : fn == Functions.REALLOC && mem != a[0] ? a[0] : 0;
            String site = call.site() == null || call.site().isEmpty() ? null : call.site();
            String who = t.hasContexts() ? Op.who(t.threads().size() > 1, t.pids().size() > 1, t.pidOf(first),
                    t.threadOf(first)) : null;
            return new Op(step, call.fnName(), args, result, site, mem, freed, ts, List.of(), who);
        }
    }
}
