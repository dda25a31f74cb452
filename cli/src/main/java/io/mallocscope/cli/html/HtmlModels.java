package io.mallocscope.cli.html;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.explain.Narrator;
import io.mallocscope.cli.model.Story;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.timeline.ProgramOutput;
import io.mallocscope.runtime.timeline.Reconstructor;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.trace.Step;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceOp;
import io.mallocscope.runtime.trace.TraceRunner;
import io.mallocscope.runtime.vm.Kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds {@link HtmlModel}s. {@link #fromTimeline} reads a recorded timeline: its calls and, in the
 * text timeline's own words, what the allocator did in each, with the heap rebuilt step by step by the
 * timeline package's {@link Reconstructor}. {@link #fromTrace} replays a malloclab trace in a fresh
 * simulated process and reads the heap after every operation with {@link HeapView}; a trace records no
 * transitions, so its explanations are what changed between two views (bins entered and left, the top
 * chunk, the break), and say only what the state shows.
 */
public final class HtmlModels {
    private HtmlModels() {
    }

    /** How many operations {@link #fromTrace(Path, String, String)} shows: a page per step, not per megabyte. */
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
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1, got " + maxSteps);
        }
        TimelineHeader th = timeline.header();
        String program = th.program().isEmpty() ? name : th.program();
        int n = Math.min(ops.size(), maxSteps);
        List<Op> shown = ops.subList(0, n);
        // the same narration as `timeline` prints: the allocator's story, then the program's metadata writes
        Story said = new Story(Narrator.of(timeline, Narrator.Writes.metadata));
        PageBudget budget = new PageBudget(n);
        Reconstructor r = new Reconstructor(timeline);
        Map<Long, Integer> createdBy = new HashMap<>();
        List<HtmlModel.Step> steps = new ArrayList<>(n + 1);

        CProcess p = r.stateAt(0);
        String problem = r.problem().orElse(null);
        List<String> start = new ArrayList<>();
        start.add(startNote(p.malloc().view()));
        if (problem != null) {
            start.add("mallocscope: " + problem + ".");
        }
        if (n == 0 && timeline.problem().isPresent()) {
            start.add("The recording is readable only up to here: " + timeline.problem().get() + ".");
        }
        steps.add(budget.add(recordedStep(0, "start", "", start, p, createdBy)));
        for (int i = 0; i < n; i++) {
            Op op = shown.get(i);
            p = r.stateAt(op.number());
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
            steps.add(budget.add(recordedStep(op.number(), Story.callText(op), op.site(), notes, p,
                    createdBy)));
        }
        long heapStart = p.malloc().view().heapStart();
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
        HeapView v = p.malloc().view();
        List<HtmlModel.ChunkBox> boxes = new ArrayList<>();
        long tcacheChunk = v.tcache() == 0 ? -1 : v.tcache() - 16;
        for (HeapView.Chunk c : v.chunks()) {
            Integer by = createdBy.get(c.address());
            String label = c.address() == tcacheChunk ? "tcache struct"
                    : c.size() == 16 ? "fencepost"
                    : c.state() == HeapView.State.TOP || by == null ? "" : "#" + by;
            boxes.add(new HtmlModel.ChunkBox(c.address(), c.size(), state(c.state()), label));
        }
        for (HeapView.Chunk c : v.mmappedChunks()) {
            Integer by = createdBy.get(c.address());
            boxes.add(new HtmlModel.ChunkBox(c.address(), c.size(), "mmapped", by == null ? "" : "#" + by));
        }
        return new HtmlModel.Step(number, op, site, notes, boxes, bins(v), p.kernel().currentBrk());
    }

    /** What step 0 says about the heap before the first call. */
    static String startNote(HeapView v) {
        return "The heap before the first call: "
                + (v.initialized() ? "malloc is initialised." : "malloc has not run yet, there is no heap.");
    }

    /**
     * Replays {@code rep} and returns one step per operation, for at most {@link #DEFAULT_MAX_OPERATIONS}
     * operations.
     *
     * @see #fromTrace(Path, String, String, int)
     */
    public static HtmlModel fromTrace(Path rep, String glibc, String tunables) throws IOException {
        return fromTrace(rep, glibc, tunables, DEFAULT_MAX_OPERATIONS);
    }

    /**
     * Replays {@code rep} and returns one step per operation. Every step carries the whole heap, so a
     * long trace is cut after {@code maxOperations} operations; the last step then says so.
     *
     * @param glibc    the glibc profile, e.g. "2.36"
     * @param tunables GLIBC_TUNABLES syntax, or null; the trace's own {@code # tunables:} line wins
     * @throws IOException if the file cannot be read
     * @throws io.mallocscope.runtime.trace.TraceFormatException for a malformed trace (FILE:LINE: what)
     * @throws IllegalArgumentException for an unknown glibc version or a malformed tunable
     */
    public static HtmlModel fromTrace(Path rep, String glibc, String tunables, int maxOperations) throws IOException {
        return fromTrace(Trace.read(rep), rep.getFileName().toString(), glibc, tunables, maxOperations);
    }

    /** Replays an already-read {@code trace}, named {@code name}; see {@link #fromTrace(Path, String, String, int)}. */
    public static HtmlModel fromTrace(Trace trace, String name, String glibc, String tunables, int maxOperations) {
        Objects.requireNonNull(glibc, "glibc");
        if (maxOperations < 1) {
            throw new IllegalArgumentException("maxOperations must be at least 1, got " + maxOperations);
        }
        String tun = trace.tunables() != null ? trace.tunables() : tunables == null ? "" : tunables;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CProcess p = CProcess.create(ProcessOptions.defaults().withProgramName(name).withGlibc(glibc)
                .withTunables(tun).withStdout(out).withStderr(err));
        Replay r = new Replay(p, trace, out, err);
        r.run(maxOperations);
        return new HtmlModel(name, new HtmlModel.Header(name, glibc, tun, p.malloc().view().heapStart()), r.steps,
                out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), "",
                chars(out.toByteArray(), r.outBytes), chars(err.toByteArray(), r.errBytes), null);
    }

    /** Byte offsets into UTF-8 {@code bytes} as char offsets into the decoded text. */
    private static List<Integer> chars(byte[] bytes, List<Integer> byteEnds) {
        List<Integer> out = new ArrayList<>(byteEnds.size());
        int lastBytes = -1;
        int lastChars = 0;
        for (int b : byteEnds) {
            if (b != lastBytes) {
                lastChars = new String(bytes, 0, b, StandardCharsets.UTF_8).length();
                lastBytes = b;
            }
            out.add(lastChars);
        }
        return out;
    }

    /** One replay: runs the trace's ops with a {@link TraceRunner}, snapshotting the heap after each call. */
    private static final class Replay {
        private final Malloc m;
        private final Kernel k;
        private final Trace trace;
        private final TraceRunner runner;
        private final List<HtmlModel.Step> steps = new ArrayList<>();
        /** how many bytes the replay had printed by the end of each step */
        private final List<Integer> outBytes = new ArrayList<>();
        private final List<Integer> errBytes = new ArrayList<>();
        private final ByteArrayOutputStream out;
        private final ByteArrayOutputStream err;
        private Snapshot before;

        Replay(CProcess p, Trace trace, ByteArrayOutputStream out, ByteArrayOutputStream err) {
            this.m = p.malloc();
            this.k = p.kernel();
            this.trace = trace;
            this.runner = TraceRunner.onMalloc(trace, p);
            this.out = out;
            this.err = err;
        }

        /** Adds a step and marks how much the replay had printed by then. */
        private void add(PageBudget budget, HtmlModel.Step s) {
            steps.add(budget.add(s));
            outBytes.add(out.size());
            errBytes.add(err.size());
        }

        void run(int maxOperations) {
            HeapView v = m.view();
            before = Snapshot.of(v);
            int n = Math.min(trace.size(), maxOperations);
            PageBudget budget = new PageBudget(n);
            add(budget, step(0, "start", List.of(startNote(v)), v));
            for (int i = 0; i < n; i++) {
                Step s = runner.step(i);
                List<String> notes = new ArrayList<>();
                if (s.signal() != null) {
                    HeapView after = m.view();
                    notes.add("The process got " + s.signal().shellDescription() + ": " + s.signal().getMessage());
                    add(budget, step(i + 1, call(s) + " -> " + s.signal().shellDescription(), notes, after));
                    return;
                }
                notes(s, notes);
                HeapView after = m.view();
                Snapshot now = Snapshot.of(after);
                notes.addAll(differences(before, now));
                if (i == n - 1 && n < trace.size()) {
                    notes.add("The trace goes on for " + (trace.size() - n) + " more operations, not shown here"
                            + " (the page shows the first " + n + ").");
                }
                add(budget, step(i + 1, call(s) + result(s), notes, after));
                before = now;
            }
        }

        /** What the step did to its block, in words. */
        private void notes(Step s, List<String> notes) {
            int id = s.id();
            long r = s.result();
            switch (s.op()) {
                case MALLOC, CALLOC, MEMALIGN -> notes.add(returned(id, r));
                case FREE -> {
                    long ptr = s.arg(0);
                    notes.add(ptr == 0 ? "Block #" + id + " is not allocated: this is free(NULL), which does nothing."
                            : "Block #" + id + " (chunk " + Hex.of(ptr - 16) + ") is freed.");
                }
                case REALLOC -> {
                    long old = s.arg(0);
                    if (r != 0 && old != 0) {
                        notes.add(r == old ? "Block #" + id + " was resized in place."
                                : "Block #" + id + " moved from " + Hex.of(old) + " to " + Hex.of(r) + ".");
                    } else {
                        notes.add(returned(id, r));
                    }
                }
                case SBRK -> notes.add("The program moved the break itself; malloc does not know about this memory.");
                default -> {
                }
            }
        }

        /** "malloc(0x18)", "mallopt(M_MXFAST, 0)": sizes and pointers in hex. */
        private static String call(Step s) {
            StringBuilder sb = new StringBuilder(s.function()).append('(');
            for (int k = 0; k < s.args().length; k++) {
                sb.append(k == 0 ? "" : ", ");
                if (s.op() == TraceOp.MALLOPT && k == 0) {
                    sb.append(malloptParam((int) s.arg(k)));
                } else {
                    sb.append(s.op().argIsHex(k) ? Hex.of(s.arg(k)) : Long.toString(s.arg(k)));
                }
            }
            return sb.append(')').toString();
        }

        /** " = 0x5555…", " = 1", " = -1", or nothing for free. */
        private static String result(Step s) {
            return switch (s.op().returns()) {
                case BLOCK -> " = " + Hex.of(s.result());
                case INT -> " = " + s.result();
                case BREAK -> " = " + (s.result() == -1 ? "-1" : Hex.of(s.result()));
                case NOTHING -> "";
            };
        }

        private String returned(int id, long r) {
            if (r == 0) {
                return "It returned NULL.";
            }
            long size = m.view().chunks().stream().filter(c -> c.address() == r - 16).mapToLong(HeapView.Chunk::size)
                    .findFirst().orElse(0);
            return size != 0 ? "Block #" + id + " is chunk " + Hex.of(r - 16) + ", size " + Hex.of(size) + "."
                    : "Block #" + id + " is " + Hex.of(r) + ", a chunk of its own mapping.";
        }

        private HtmlModel.Step step(int n, String op, List<String> notes, HeapView v) {
            Map<Long, Integer> idOf = new HashMap<>();
            for (int id = 0; id <= trace.maxId(); id++) {
                if (runner.block(id) != 0) {
                    idOf.put(runner.block(id) - 16, id);
                }
            }
            List<HtmlModel.ChunkBox> boxes = new ArrayList<>();
            long tcacheChunk = v.tcache() == 0 ? -1 : v.tcache() - 16;
            for (HeapView.Chunk c : v.chunks()) {
                String label = c.address() == tcacheChunk ? "tcache struct"
                        : c.size() == 16 ? "fencepost"
                        : idOf.containsKey(c.address()) ? "#" + idOf.get(c.address()) : "";
                boxes.add(new HtmlModel.ChunkBox(c.address(), c.size(), state(c.state()), label));
            }
            for (HeapView.Chunk c : v.mmappedChunks()) {
                Integer id = idOf.get(c.address());
                boxes.add(new HtmlModel.ChunkBox(c.address(), c.size(), "mmapped", id == null ? "" : "#" + id));
            }
            return new HtmlModel.Step(n, op, "", notes, boxes, bins(v), k.currentBrk());
        }
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

    /**
     * The parts of a {@link HeapView} the explanations compare, copied out when the view is made: a view
     * reads some figures (top, mmapped chunks) from memory when asked, so an old view would show the new
     * state.
     */
    record Snapshot(boolean initialized, long heapStart, long top, long topSize, Map<String, List<String>> bins,
                    int mmapped, NavigableMap<Long, Long> chunks, boolean corrupt) {
        static Snapshot of(HeapView v) {
            boolean init = v.initialized();
            long top = init ? v.top() : 0;
            long topSize = init ? v.topSize() : 0;
            NavigableMap<Long, Long> chunks = new TreeMap<>(Long::compareUnsigned);
            v.chunks().forEach(c -> chunks.put(c.address(), c.size()));
            // corrupt() also covers the reads above: a view flags any read of unmapped memory
            return new Snapshot(init, v.heapStart(), top, topSize, HtmlModels.bins(v), v.mmappedChunks().size(),
                    chunks, v.corrupt());
        }

        /** The chunk whose bytes include {@code address}, or null. */
        Map.Entry<Long, Long> covering(long address) {
            Map.Entry<Long, Long> e = chunks.floorEntry(address);
            return e != null && Long.compareUnsigned(address, e.getKey() + e.getValue()) < 0 ? e : null;
        }
    }

    /** What changed between two snapshots, in words: chunks that entered or left a bin, the top chunk, mmaps. */
    static List<String> differences(Snapshot a, Snapshot b) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : a.bins().entrySet()) {
            List<String> now = b.bins().getOrDefault(e.getKey(), List.of());
            for (String c : e.getValue()) {
                if (!now.contains(c)) {
                    out.add("Chunk " + c + " left " + e.getKey() + ".");
                }
            }
        }
        for (Map.Entry<String, List<String>> e : b.bins().entrySet()) {
            List<String> was = a.bins().getOrDefault(e.getKey(), List.of());
            for (String c : e.getValue()) {
                if (!was.contains(c)) {
                    out.add("Chunk " + c + " entered " + e.getKey() + ".");
                }
            }
        }
        // chunks that vanished from the walk were merged into the chunk that now covers them
        Map<Long, List<String>> mergedInto = new TreeMap<>(Long::compareUnsigned);
        for (Map.Entry<Long, Long> c : a.chunks().entrySet()) {
            Map.Entry<Long, Long> cover = b.chunks().containsKey(c.getKey()) ? null : b.covering(c.getKey());
            if (cover != null) {
                mergedInto.computeIfAbsent(cover.getKey(), k -> new ArrayList<>())
                        .add(Hex.of(c.getKey()) + " (" + Hex.of(c.getValue()) + ")");
            }
        }
        mergedInto.forEach((into, merged) -> out.add((merged.size() == 1 ? "Chunk " : "Chunks ")
                + String.join(", ", merged) + (merged.size() == 1 ? " was" : " were") + " merged into "
                + (into == b.top() ? "the top chunk " : "chunk ") + Hex.of(into) + ", now size "
                + Hex.of(b.chunks().get(into)) + "."));
        // a new chunk inside an old one (other than the top moving up) was split off it
        for (Map.Entry<Long, Long> c : b.chunks().entrySet()) {
            Map.Entry<Long, Long> was = a.chunks().containsKey(c.getKey()) ? null : a.covering(c.getKey());
            if (was != null && c.getKey() != b.top()) {
                out.add("Chunk " + Hex.of(c.getKey()) + " (" + Hex.of(c.getValue()) + ") was split off chunk "
                        + Hex.of(was.getKey()) + " (" + Hex.of(was.getValue()) + ").");
            }
        }
        if (b.corrupt()) {
            out.add("The heap can no longer be walked: part of it is unmapped or a chunk header is impossible.");
        } else if (a.initialized() && b.initialized()) {
            if (a.top() != b.top() || a.topSize() != b.topSize()) {
                long d = b.topSize() - a.topSize();
                out.add("The top chunk is now " + Hex.of(b.top()) + ", size " + Hex.of(b.topSize()) + " ("
                        + (d >= 0 ? "+" + Hex.of(d) : "-" + Hex.of(-d)) + ").");
            }
        } else if (b.initialized()) {
            out.add("malloc initialised: the heap starts at " + Hex.of(b.heapStart()) + ", top is " + Hex.of(b.top())
                    + ", size " + Hex.of(b.topSize()) + ".");
        }
        if (a.mmapped() != b.mmapped()) {
            out.add(b.mmapped() > a.mmapped() ? "The request was served by mmap." : "An mmapped chunk was unmapped.");
        }
        return out;
    }

    static String malloptParam(int p) {
        return switch (p) {
            case 1 -> "M_MXFAST";
            case -1 -> "M_TRIM_THRESHOLD";
            case -2 -> "M_TOP_PAD";
            case -3 -> "M_MMAP_THRESHOLD";
            case -4 -> "M_MMAP_MAX";
            case -5 -> "M_CHECK_ACTION";
            case -6 -> "M_PERTURB";
            case -7 -> "M_ARENA_TEST";
            case -8 -> "M_ARENA_MAX";
            default -> String.valueOf(p);
        };
    }

}
