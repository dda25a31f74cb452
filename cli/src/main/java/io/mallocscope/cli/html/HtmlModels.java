package io.mallocscope.cli.html;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.explain.Narrator;
import io.mallocscope.cli.model.Story;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.timeline.ProgramOutput;
import io.mallocscope.runtime.timeline.Reconstructor;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineHeader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds {@link HtmlModel}s from an already-open source. {@link #fromTimeline} reads a recorded
 * timeline: its calls and, in the text timeline's own words, what the allocator did in each, with the
 * heap rebuilt step by step by the timeline package's {@link Reconstructor}. {@link #fromTrace} reads a
 * replayed malloclab trace: a trace records no events, so each call is explained by what it changed
 * ({@code model.Changes}, the words of {@code diff} and of the text timeline), and the heap is the
 * source's own process, walked forward once.
 */
public final class HtmlModels {
    private HtmlModels() {
    }

    /** How many operations a page shows unless told otherwise: a page per step, not per megabyte. */
    public static final int DEFAULT_MAX_OPERATIONS = 1000;

    /**
     * Reads a recorded timeline into one step per top-level call (step 0 is the process before the
     * first call), for at most {@code maxSteps} calls; the last step then says how many more there are.
     * Each step's call text, site and explanation are what {@code mallocscope timeline} prints for that
     * call; its chunks, bins and break are read from the process rebuilt at that step. The timeline is
     * walked once, the process rebuilt forward call by call.
     *
     * @param timeline the timeline, as read
     * @param ops      its top-level calls, numbered from 1 (as a timeline source turns them out)
     * @param name     what to call it when the header names no program (e.g. the file name)
     * @param maxSteps how many calls to show, at least 1
     * @throws IllegalArgumentException if the header names a glibc profile or tunables this runtime does
     *                                  not know (the process cannot be rebuilt)
     */
    public static HtmlModel fromTimeline(Timeline timeline, List<Op> ops, String name, int maxSteps) {
        return fromTimeline(timeline, ops, name, maxSteps, (p, i) -> { });
    }

    /** As {@link #fromTimeline(Timeline, List, String, int)}, handing each page step's rebuilt process to {@code each} (with the step's index on the page). */
    public static HtmlModel fromTimeline(Timeline timeline, List<Op> ops, String name, int maxSteps,
            java.util.function.ObjIntConsumer<CProcess> each) {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1, got " + maxSteps);
        }
        TimelineHeader th = timeline.header();
        String program = th.program().isEmpty() ? name : th.program();
        int n = Math.min(ops.size(), maxSteps);
        List<Op> shown = ops.subList(0, n);
        // the same narration as `timeline` prints: the allocator's story, then the program's metadata writes
        java.util.function.IntFunction<List<String>> narration = Narrator.of(timeline, Narrator.Writes.metadata);
        Story said = new Story(narration);
        PageBudget budget = new PageBudget(n);
        Map<Long, Integer> createdBy = new HashMap<>();
        List<HtmlModel.Step> steps = new ArrayList<>(n + 1);
        long heapStart;
        try (Reconstructor r = new Reconstructor(timeline)) {
            CProcess p = r.stateAt(0);
            String problem = r.problem().orElse(null);
            List<String> start = new ArrayList<>();
            start.add(startNote(p.malloc().view()));
            if (narration != null) {
                start.addAll(narration.apply(0)); // the program's writes before its first call
            }
            if (problem != null) {
                start.add("mallocscope: " + problem + ".");
            }
            if (n == 0 && timeline.problem().isPresent()) {
                start.add("The recording is readable only up to here: " + timeline.problem().get() + ".");
            }
            each.accept(p, 0);
            steps.add(budget.add(recordedStep(0, "start", "", start, p, createdBy)));
            for (int i = 0; i < n; i++) {
                Op op = shown.get(i);
                p = r.stateAt(op.number());
                each.accept(p, i + 1);
                if (op.mem() != 0) {
                    createdBy.put(op.mem() - 16, op.number());
                }
                List<String> notes = new ArrayList<>(said.tell(op));
                if (problem == null && r.problem().isPresent()) {
                    problem = r.problem().get();
                    notes.add("mallocscope: the rebuilt heap may differ from the recorded one from here: " + problem + ".");
                }
                if (i == n - 1 && n < ops.size()) {
                    int more = ops.size() - n;
                    notes.add("The timeline goes on for " + more + (more == 1 ? " more call" : " more calls")
                            + ", not shown here (the page shows the first " + n + "; --max-steps N shows more).");
                } else if (i == n - 1 && timeline.problem().isPresent()) {
                    notes.add("The recording is readable only up to here: " + timeline.problem().get() + ".");
                }
                steps.add(budget.add(recordedStep(op.number(), callText(op), op.site(), notes, p,
                        createdBy)));
            }
            heapStart = p.malloc().view().heapStart();
        }
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        String outputNote = HtmlModel.OUTPUT_NOT_RECORDED;
        List<Integer> stdoutEnds = List.of();
        List<Integer> stderrEnds = List.of();
        if (timeline.outputRecorded()) {
            // what the program printed up to the last step the page shows, and how much of it by each step
            int lastStep = n < ops.size() ? shown.get(n - 1).number() : timeline.steps();
            int[] outEnd = new int[steps.size()];
            int[] errEnd = new int[steps.size()];
            for (ProgramOutput o : timeline.outputUpTo(lastStep)) {
                StringBuilder to = o.isStderr() ? stderr : stdout;
                to.append(o.text());
                int at = Math.min(o.step(), steps.size() - 1);
                (o.isStderr() ? errEnd : outEnd)[at] = to.length();
            }
            stdoutEnds = cumulative(outEnd);
            stderrEnds = cumulative(errEnd);
            outputNote = "";
        }
        return new HtmlModel(program, new HtmlModel.Header(program, th.glibc(), th.tunables(),
                heapStart != 0 ? heapStart : th.heapStart()), steps, stdout.toString(), stderr.toString(), outputNote,
                stdoutEnds, stderrEnds, null);
    }

    /** Each step's end: the last end recorded at or before it. */
    private static List<Integer> cumulative(int[] recorded) {
        List<Integer> out = new ArrayList<>(recorded.length);
        int end = 0;
        for (int e : recorded) {
            end = Math.max(end, e);
            out.add(end);
        }
        return out;
    }

    /** One step of a recorded timeline, copied out of the rebuilt process now (a view reads it lazily). */
    private static HtmlModel.Step recordedStep(int number, String op, String site, List<String> notes, CProcess p,
                                               Map<Long, Integer> createdBy) {
        return Walked.of(p).step(number, op, site, notes, createdBy);
    }

    /**
     * The heap of one step, copied out of the live process (a view reads it lazily): chunks, bins and
     * break; the chunks are labelled when the step is made, by the call that handed each out.
     */
    private record Walked(List<HeapView.Chunk> chunks, List<HeapView.Chunk> mmapped, long tcacheChunk,
                          Map<String, List<String>> bins, long brk, long heapStart, List<HtmlModel.ProcessMaps> maps) {
        static Walked of(CProcess p) {
            HeapView v = p.malloc().view();
            return new Walked(v.chunks(), v.mmappedChunks(), v.tcache() == 0 ? -1 : v.tcache() - 16, HtmlModels.bins(v),
                    p.kernel().currentBrk(), v.heapStart(), HtmlModels.maps(p));
        }

        HtmlModel.Step step(int number, String op, String site, List<String> notes, Map<Long, Integer> createdBy) {
            List<HtmlModel.ChunkBox> boxes = new ArrayList<>();
            for (HeapView.Chunk c : chunks) {
                Integer by = createdBy.get(c.address());
                String label = c.address() == tcacheChunk ? "tcache struct"
                        : c.size() == 16 ? "fencepost"
                        : c.state() == HeapView.State.TOP || by == null ? "" : "#" + by;
                boxes.add(new HtmlModel.ChunkBox(c.address(), c.size(), state(c.state()), label));
            }
            for (HeapView.Chunk c : mmapped) {
                Integer by = createdBy.get(c.address());
                boxes.add(new HtmlModel.ChunkBox(c.address(), c.size(), "mmapped", by == null ? "" : "#" + by));
            }
            return new HtmlModel.Step(number, op, site, notes, boxes, bins, brk, maps);
        }
    }

    /**
     * The memory maps of every process of {@code program}'s run (the program, then the children it forked,
     * by pid), each mapping with its file offset and, for a file the program mapped, its pages' state.
     */
    static List<HtmlModel.ProcessMaps> maps(CProcess program) {
        List<CProcess> all = program.processes();
        List<HtmlModel.ProcessMaps> out = new ArrayList<>(all.size());
        for (CProcess q : all) {
            String label = "pid " + q.pid() + (q == program ? " (the program)"
                    : " (child of " + q.ppid() + (q.endStatus() != null ? ", exited)" : ")"));
            List<HtmlModel.MapRow> rows = new ArrayList<>();
            for (io.mallocscope.runtime.vm.Region r : q.memory().regions()) {
                io.mallocscope.cli.model.MapRegion m = io.mallocscope.cli.model.MapRegion.of(q.memory(), r, null);
                rows.add(new HtmlModel.MapRow(m.start(), m.end(), m.perms(), m.offset(), m.name(),
                        m.isUserFile() ? m.fileState() : ""));
            }
            out.add(new HtmlModel.ProcessMaps(q.pid(), label, rows));
        }
        if (out.size() > 1 && out.get(0).pid() != program.pid()) { // the program first
            HtmlModel.ProcessMaps first = out.stream().filter(m -> m.pid() == program.pid()).findFirst().orElseThrow();
            out.remove(first);
            out.add(0, first);
        }
        return out;
    }

    /** What step 0 says about the heap before the first call. */
    static String startNote(HeapView v) {
        return "The heap before the first call: "
                + (v.initialized() ? "malloc is initialised." : "malloc has not run yet, there is no heap.");
    }

    /**
     * What the page of a replayed {@code .rep} trace reads from its already-open source (the CLI's
     * {@code StateSource}): the process step by step, walked forward once, then the calls with what
     * each changed, read on the same walk.
     */
    public interface Replayed {
        /** How many operations the trace has. */
        int steps();

        /** The process after step {@code n}, live. */
        CProcess process(int n);

        /** The calls, numbered from 1, each with its {@link io.mallocscope.cli.model.Changes} lines. */
        List<Op> ops();

        /** What the process printed on stdout, and on stderr. */
        String stdout();

        String stderr();
    }

    /**
     * A replayed trace, one step per operation for at most {@code maxOperations} of them (every step
     * carries the whole heap; the last step then says how many more there are). Each step's call and
     * explanation are what {@code mallocscope timeline} prints for it (what the call changed, in the
     * words of {@code diff}); its chunks, bins and break are read from the source's process, and each
     * chunk is labelled by the call that handed it out, as on a recorded timeline's page.
     *
     * @param name     what to call the trace (its file name)
     * @param glibc    the glibc profile it was replayed with, e.g. "2.36"
     * @param tunables the tunables it was replayed with ("" for none)
     */
    public static HtmlModel fromTrace(Replayed source, String name, String glibc, String tunables, int maxOperations) {
        return fromTrace(source, name, glibc, tunables, maxOperations, (p, i) -> { });
    }

    /** As {@link #fromTrace(Replayed, String, String, String, int)}, handing each step's process to {@code each} (with the step). */
    public static HtmlModel fromTrace(Replayed source, String name, String glibc, String tunables, int maxOperations,
            java.util.function.ObjIntConsumer<CProcess> each) {
        Objects.requireNonNull(glibc, "glibc");
        if (maxOperations < 1) {
            throw new IllegalArgumentException("maxOperations must be at least 1, got " + maxOperations);
        }
        int n = Math.min(source.steps(), maxOperations);
        CProcess p = source.process(0);
        String start = startNote(p.malloc().view());
        List<Walked> walked = new ArrayList<>(n + 1);
        each.accept(p, 0);
        walked.add(Walked.of(p));
        // how much the replay had printed by the end of each step
        List<Integer> outEnds = new ArrayList<>(List.of(source.stdout().length()));
        List<Integer> errEnds = new ArrayList<>(List.of(source.stderr().length()));
        for (int i = 1; i <= n; i++) {
            CProcess q = source.process(i);
            each.accept(q, i);
            walked.add(Walked.of(q));
            outEnds.add(source.stdout().length());
            errEnds.add(source.stderr().length());
        }
        List<Op> ops = source.ops();
        int shown = Math.min(n, ops.size()); // a signal ends the trace at the call that raised it
        PageBudget budget = new PageBudget(shown);
        Story said = new Story();
        Map<Long, Integer> createdBy = new HashMap<>();
        List<HtmlModel.Step> steps = new ArrayList<>(shown + 1);
        steps.add(budget.add(walked.get(0).step(0, "start", "", List.of(start), createdBy)));
        for (int i = 1; i <= shown; i++) {
            Op op = ops.get(i - 1);
            if (op.mem() != 0) {
                createdBy.put(op.mem() - 16, op.number());
            }
            List<String> notes = new ArrayList<>(said.tell(op));
            if (i == n && n < source.steps()) {
                notes.add("The trace goes on for " + (source.steps() - n) + " more operations, not shown here"
                        + " (the page shows the first " + n + ").");
            }
            steps.add(budget.add(walked.get(i).step(i, callText(op), "", notes, createdBy)));
        }
        String out = source.stdout().substring(0, outEnds.get(shown));
        String err = source.stderr().substring(0, errEnds.get(shown));
        return new HtmlModel(name, new HtmlModel.Header(name, glibc, tunables, walked.get(shown).heapStart()), steps,
                out, err, "", outEnds.subList(0, shown + 1), errEnds.subList(0, shown + 1), null);
    }

    /** Non-empty bins, named the way pwndbg's {@code bins} command names them. */
    static Map<String, List<String>> bins(HeapView v) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (HeapView.Bin b : v.bins()) {
            List<String> chain = new ArrayList<>();
            b.chunks().forEach(c -> chain.add(Hex.of(c)));
            if (b.corrupt()) {
                chain.add("(corrupt)");
            }
            out.put(binName(b), chain);
        }
        return out;
    }

    static String binName(HeapView.Bin b) {
        return io.mallocscope.cli.model.BinLabels.name(io.mallocscope.cli.model.BinType.of(b.kind()), b.index(),
                b.chunkSize());
    }

    /** The page's name of a chunk state: {@code in_use}, {@code tcache}, … {@code top}. */
    static String state(HeapView.State s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A step's call as {@code timeline} prints it: {@code [t1] malloc(0x18) = 0x…} when the source has threads. */
    private static String callText(Op op) {
        return (op.who() != null ? "[" + op.who() + "] " : "") + Story.callText(op);
    }
}
