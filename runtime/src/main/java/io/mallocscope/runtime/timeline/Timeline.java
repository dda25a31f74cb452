package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A recorded timeline: its {@link #header()}, its events ({@link #event(int)}) and the top-level
 * calls that number the steps of the recording. {@link TimelineReader} indexes the file in one pass;
 * events are decoded a block at a time when asked for, so memory grows with the number of calls, not
 * with the file (a timeline of millions of events opens in a small heap). An {@link Event} object is
 * only made when asked for.
 *
 * <p>A file cut short (the recorded process was killed) or damaged yields every event before the
 * first bad block, and {@link #problem()} says where reading stopped and why.
 */
public final class Timeline {
    private final TimelineReader.Bytes bytes;
    private final TimelineReader.Index ix;
    private final TimelineHeader header;
    private final String problem;
    private final int size;
    /** The event of every top-level call, or null when the side file's index says where they are by block. */
    private final int[] calls;
    private final int nCalls;
    private final int[] outputs;
    private final int[] contextAt;
    private final int[] contextPid;
    private final int[] contextThread;
    private final List<Integer> pids;
    private final List<Integer> threads;
    /** The most recently decoded blocks: sequential reading decodes each block once. */
    private TimelineReader.Block current = new TimelineReader.Block();
    private TimelineReader.Block previous = new TimelineReader.Block();
    private int currentIndex = -1;
    private int previousIndex = -1;
    /** The side file's index and checkpoints when it matched the timeline, else null. */
    private Checkpoints checkpoints;
    /** Why a side file beside the timeline was not used, else null. */
    private String checkpointNote;

    private Timeline(TimelineReader.Bytes bytes, TimelineReader.Index ix) {
        this.bytes = bytes;
        this.ix = ix;
        this.header = ix.header;
        this.problem = ix.problem;
        this.size = ix.events;
        this.calls = ix.calls == null ? null : Arrays.copyOf(ix.calls, ix.nCalls);
        this.nCalls = ix.nCalls;
        this.outputs = Arrays.copyOf(ix.outputs, ix.nOutputs);
        this.contextAt = Arrays.copyOf(ix.contextAt, ix.nContexts);
        this.contextPid = Arrays.copyOf(ix.contextPid, ix.nContexts);
        this.contextThread = Arrays.copyOf(ix.contextThread, ix.nContexts);
        this.pids = distinct(contextPid, FIRST_PID);
        this.threads = distinct(contextThread, 0);
        ix.calls = null;
        ix.outputs = null;
    }

    /** Whether {@code file} starts like a timeline (its magic bytes), without reading the rest. */
    public static boolean looksLikeTimeline(Path file) throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(TimelineFormat.MAGIC.length), TimelineFormat.MAGIC);
        }
    }

    /**
     * Reads a timeline file: one pass indexes it; its events are read back from the file a block at a
     * time when asked for.
     *
     * @throws IOException if the file cannot be read, is not a timeline, or has no readable header
     */
    public static Timeline read(Path file) throws IOException {
        TimelineReader.Bytes b = TimelineReader.of(file);
        Checkpoints.Loaded side = java.nio.file.Files.isRegularFile(file) ? Checkpoints.load(file) : null;
        if (side != null && side.index() != null) {
            // the side file indexes exactly these bytes: no pass over the file
            Timeline t = new Timeline(b, side.index());
            t.checkpoints = side.checkpoints();
            return t;
        }
        Timeline t = new Timeline(b, TimelineReader.index(b, file.toString()));
        t.checkpointNote = side == null ? null : side.note();
        return t;
    }

    /**
     * The checkpoints of the side file beside the timeline ({@link Checkpoints#sideFile}), when it was
     * there and matched the timeline: {@link Reconstructor} then starts from the nearest one.
     */
    public Optional<Checkpoints> checkpoints() {
        return Optional.ofNullable(checkpoints);
    }

    /** Why the side file beside the timeline was not used (stale or damaged); empty if it was, or if there is none. */
    public Optional<String> checkpointNote() {
        return Optional.ofNullable(checkpointNote);
    }

    /**
     * Writes the side file of this timeline, read from {@code file} (see {@link Checkpoints#write}),
     * and starts using it.
     *
     * @return how many checkpoints were written
     */
    public int writeCheckpoints(Path file, int every) throws IOException {
        int n = Checkpoints.write(file, this, every);
        Checkpoints.Loaded side = Checkpoints.load(file);
        if (side == null || side.index() == null) {
            throw new IOException(side == null ? "the side file vanished" : side.note());
        }
        checkpoints = side.checkpoints();
        checkpointNote = null;
        return n;
    }

    TimelineReader.Index index() {
        return ix;
    }

    /** The event of the {@code k}-th top-level call (0-based). */
    private int call(int k) {
        if (calls != null) {
            return calls[k];
        }
        // the last block whose first call is at or before k holds it (blocks without calls share the number)
        int b = Arrays.binarySearch(ix.blockFirstCall, 0, ix.nBlocks, k);
        b = b < 0 ? -b - 2 : b;
        while (b + 1 < ix.nBlocks && ix.blockFirstCall[b + 1] <= k) {
            b++;
        }
        int nth = k - ix.blockFirstCall[b];
        callsOf(b);
        if (nth < callsInBlock) {
            return ix.blockFirst[b] + callsAt[nth];
        }
        throw new IllegalStateException("call " + k + " is not in the block the index says");
    }

    /** Finds where block {@code b}'s calls are, once for every step in it ({@link #callsAt}). */
    private void callsOf(int b) {
        if (callsBlock == b) {
            return;
        }
        TimelineReader.Block block = block(ix.blockFirst[b]);
        int n = 0;
        int[] at = callsAt.length >= block.n ? callsAt : new int[block.n];
        for (int j = 0; j < block.n; j++) {
            if (block.depths[j] == 0 && block.kinds[j] == CALL_TAG) {
                at[n++] = j;
            }
        }
        callsAt = at;
        callsInBlock = n;
        callsBlock = b;
    }

    /** The block whose calls {@link #callsAt} holds (-1: none yet), and their offsets in it. */
    private int callsBlock = -1;
    private int[] callsAt = new int[0];
    private int callsInBlock;

    private static final byte CALL_TAG = (byte) EventKind.CALL.ordinal();


    int[] outputs() {
        return outputs;
    }

    /** Reads a timeline from its bytes; {@code name} is used in messages. */
    public static Timeline parse(byte[] bytes, String name) throws IOException {
        TimelineReader.Bytes b = TimelineReader.of(bytes);
        return new Timeline(b, TimelineReader.index(b, name));
    }

    public TimelineHeader header() {
        return header;
    }

    /** Why reading stopped before the end of the file, with the byte offset and record number; empty if it did not. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** How many events were read. */
    public int size() {
        return size;
    }

    public Event event(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("event " + i + " of " + size);
        }
        TimelineReader.Block b = block(i);
        int k = i - b.first;
        EventKind kind = EventKind.ofTag(b.kinds[k]);
        long[] v = Arrays.copyOfRange(b.vals, b.valStart[k], b.valStart[k + 1]);
        int ref = b.refs[k];
        String site = null;
        String text = null;
        byte[] data = null;
        int signal = -1;
        switch (kind) {
            case CALL -> site = ix.sites.getOrDefault(ref, "");
            case RETURN -> signal = ref - 1;
            case ABORT, SEGV, OPEN, CLOSE, FILE_MAP, PAGE_PRIVATE, WRITE_BACK, SIGBUS -> text = ix.texts.get(ref);
            case WRITE -> {
                int at = b.fns[k];
                site = at > 0 ? ix.sites.getOrDefault(at, "") : "";
                if (ref >= 0) {
                    data = Arrays.copyOfRange(b.data, ref, ref + (int) v[1]);
                }
            }
            case OUTPUT -> data = Arrays.copyOfRange(b.data, ref, ref + (int) v[1]);
            default -> {
            }
        }
        return new Event(i, kind, b.depths[k], b.fns[k], v, site, text, data, signal);
    }

    /** The program's pid (the simulator numbers processes as a fresh PID namespace: the program is 2). */
    public static final int FIRST_PID = ReplayContexts.FIRST_PID;

    /**
     * The process event {@code i} belongs to: the pid of the last context record at or before it, or
     * {@link #FIRST_PID} before the first (a recording of one process has none).
     */
    public int pidOf(int i) {
        int c = contextIndex(i);
        return c < 0 ? FIRST_PID : contextPid[c];
    }

    /** The thread event {@code i} belongs to: 0 for a main thread, then 1, 2 … in order of creation. */
    public int threadOf(int i) {
        int c = contextIndex(i);
        return c < 0 ? 0 : contextThread[c];
    }

    /** Every process with an event, the program first, in order of appearance ([2] for one process). */
    public List<Integer> pids() {
        return pids;
    }

    private static List<Integer> distinct(int[] values, int first) {
        java.util.LinkedHashSet<Integer> d = new java.util.LinkedHashSet<>();
        d.add(first);
        for (int v : values) {
            d.add(v);
        }
        return List.copyOf(d);
    }

    /** The thread numbers of the context records, each once, in order of appearance (0 for a single-threaded recording). */
    public List<Integer> threads() {
        return threads;
    }

    /** Whether any event is of a thread other than a main thread, or of a process other than the program. */
    public boolean hasContexts() {
        return contextAt.length > 0;
    }

    private int contextIndex(int i) {
        int k = Arrays.binarySearch(contextAt, i);
        return k >= 0 ? k : -k - 2;
    }

    /** The kind of event {@code i}, without making an {@link Event}. */
    public EventKind kind(int i) {
        TimelineReader.Block b = block(i);
        return EventKind.ofTag(b.kinds[i - b.first]);
    }

    /** The depth of event {@code i}. */
    public int depth(int i) {
        TimelineReader.Block b = block(i);
        return b.depths[i - b.first];
    }

    /** The decoded block holding event {@code i}. */
    private TimelineReader.Block block(int i) {
        if (current.holds(i)) {
            return current;
        }
        if (previous.holds(i)) {
            TimelineReader.Block t = current;
            current = previous;
            previous = t;
            int ti = currentIndex;
            currentIndex = previousIndex;
            previousIndex = ti;
            return current;
        }
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("event " + i + " of " + size);
        }
        int b = blockOf(i);
        TimelineReader.Block t = previous;
        previous = current;
        previousIndex = currentIndex;
        TimelineReader.decode(bytes, ix, b, t);
        current = t;
        currentIndex = b;
        return current;
    }

    /** The number of the block holding event {@code i}. */
    private int blockOf(int i) {
        int b = Arrays.binarySearch(ix.blockFirst, 0, ix.nBlocks, i);
        if (b < 0) {
            b = -b - 2;
        }
        while (b + 1 < ix.nBlocks && ix.blockFirst[b + 1] <= i) {
            b++; // blocks without events share their first event number with the next
        }
        return b;
    }

    /** Every event, in order (made on demand). */
    public List<Event> events() {
        return new java.util.AbstractList<>() {
            @Override
            public Event get(int index) {
                return event(index);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** The number of top-level calls: step N (1 ≤ N ≤ this) is the state after the N-th one. */
    public int steps() {
        return nCalls;
    }

    /** The event index of the N-th top-level call (1-based, as steps are numbered). */
    public int callOfStep(int step) {
        if (step < 1 || step > nCalls) {
            throw new IndexOutOfBoundsException("step " + step + " (the timeline has steps 0.." + nCalls + ")");
        }
        return call(step - 1);
    }

    /**
     * The index of the first event that is not part of step {@code step}: the (step+1)-th top-level
     * call, or {@link #size()} for the last step. Step N's state includes the writes made between the
     * N-th call and the next.
     */
    public int endOfStep(int step) {
        if (step < 0 || step > nCalls) {
            throw new IndexOutOfBoundsException("step " + step + " (the timeline has steps 0.." + nCalls + ")");
        }
        return step < nCalls ? call(step) : size;
    }

    /** The step an event belongs to: the number of top-level calls at or before it. */
    public int stepOf(int event) {
        if (calls != null) {
            int i = Arrays.binarySearch(calls, event);
            return i >= 0 ? i + 1 : -i - 1;
        }
        if (event < 0) {
            return 0;
        }
        if (event >= size) {
            return nCalls;
        }
        int b = blockOf(event);
        callsOf(b);
        // the calls of the block at or before the event
        int i = Arrays.binarySearch(callsAt, 0, callsInBlock, event - ix.blockFirst[b]);
        return ix.blockFirstCall[b] + (i >= 0 ? i + 1 : -i - 1);
    }

    // ================================================================ the program's output

    /**
     * Everything the process printed, in order: each element is a run of adjacent {@code output}
     * events on one stream (so a character printed a byte at a time reads whole). Empty for a
     * timeline recorded without output (format version 1, or {@code record=} without {@code output}).
     */
    public List<ProgramOutput> output() {
        return outputBetween(0, size);
    }

    /**
     * What was printed during step {@code step}: inside its top-level call (glibc's messages, at
     * depth 1) and after it until the next call (the program's printf, at depth 0). Step 0 is what
     * was printed before the first call.
     *
     * @throws IndexOutOfBoundsException for a step outside 0..{@link #steps()}
     */
    public List<ProgramOutput> outputOfStep(int step) {
        return outputBetween(startOfStep(step), endOfStep(step));
    }

    /**
     * What had been printed by the end of step {@code step} (steps 0 to {@code step}): the
     * terminal as it looks at that step.
     *
     * @throws IndexOutOfBoundsException for a step outside 0..{@link #steps()}
     */
    public List<ProgramOutput> outputUpTo(int step) {
        return outputBetween(0, endOfStep(step));
    }

    /** Whether the recording captured output (a timeline of format version 1 never has). */
    public boolean outputRecorded() {
        return header.version() >= 2 && header.recorded("output");
    }

    private int startOfStep(int step) {
        endOfStep(step); // checks the range
        return step == 0 ? 0 : call(step - 1);
    }

    private List<ProgramOutput> outputBetween(int from, int to) {
        int i = Arrays.binarySearch(outputs, from);
        i = i >= 0 ? i : -i - 1;
        List<ProgramOutput> runs = new ArrayList<>();
        while (i < outputs.length && outputs[i] < to) {
            int first = outputs[i];
            Event e = event(first);
            int stream = e.stream();
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            int j = i;
            // adjacent: next to each other, or on stdout with only memory writes between them (stdout's
            // buffer takes the text as it goes out)
            while (j < outputs.length && outputs[j] < to && (outputs[j] == first + (j - i)
                    || stream == ProgramOutput.STDOUT && onlyWritesBetween(outputs[j - 1], outputs[j]))
                    && (e = event(outputs[j])).stream() == stream) {
                b.writeBytes(e.bytes());
                j++;
            }
            runs.add(new ProgramOutput(first, stepOf(first), depth(first), stream, b.toString(StandardCharsets.UTF_8)));
            i = j;
        }
        return runs;
    }

    /** True if every event strictly between {@code a} and {@code b} is a memory write. */
    private boolean onlyWritesBetween(int a, int b) {
        for (int k = a + 1; k < b; k++) {
            if (kind(k) != EventKind.WRITE) {
                return false;
            }
        }
        return true;
    }
}
