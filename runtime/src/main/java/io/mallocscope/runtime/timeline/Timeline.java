package io.mallocscope.runtime.timeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A timeline file read into memory: its {@link #header()}, its events ({@link #event(int)}) and the
 * top-level calls that number the steps of the recording. Events are held in primitive columns;
 * an {@link Event} object is only made when asked for.
 *
 * <p>A file cut short (the recorded process was killed) or damaged yields every event before the
 * first bad block, and {@link #problem()} says where reading stopped and why.
 */
public final class Timeline {
    private final TimelineHeader header;
    private final byte[] data;
    private final String problem;
    private final Map<Integer, String> sites;
    private final List<String> texts;

    private final int size;
    private final byte[] kinds;
    private final byte[] depths;
    private final int[] fns;
    private final int[] refs;
    private final int[] valStart;
    private final long[] vals;
    private final int[] calls;
    private final int[] outputs;

    private Timeline(Decoder d) {
        this.header = d.header;
        this.data = d.data;
        this.problem = d.problem;
        this.sites = d.sites;
        this.texts = d.texts;
        this.size = d.n;
        this.kinds = Arrays.copyOf(d.kinds, d.n);
        this.depths = Arrays.copyOf(d.depths, d.n);
        this.fns = Arrays.copyOf(d.fns, d.n);
        this.refs = Arrays.copyOf(d.refs, d.n);
        this.valStart = Arrays.copyOf(d.valStart, d.n + 1);
        this.valStart[d.n] = d.nv;
        this.vals = Arrays.copyOf(d.vals, d.nv);
        this.calls = Arrays.copyOf(d.calls, d.nCalls);
        int[] out = new int[d.nOutputs];
        int k = 0;
        for (int i = 0; i < d.nOutputs; i++) {
            if (d.outputs[i] < d.n) { // a damaged block's partial decode was dropped
                out[k++] = d.outputs[i];
            }
        }
        this.outputs = Arrays.copyOf(out, k);
    }

    /** Whether {@code file} starts like a timeline (its magic bytes), without reading the rest. */
    public static boolean looksLikeTimeline(Path file) throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(TimelineFormat.MAGIC.length), TimelineFormat.MAGIC);
        }
    }

    /**
     * Reads a timeline file.
     *
     * @throws IOException if the file cannot be read, is not a timeline, or has no readable header
     */
    public static Timeline read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** Reads a timeline from its bytes; {@code name} is used in messages. */
    public static Timeline parse(byte[] bytes, String name) throws IOException {
        Decoder d = new Decoder(bytes, name);
        d.run();
        return new Timeline(d);
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
        EventKind kind = EventKind.ofTag(kinds[i]);
        long[] v = Arrays.copyOfRange(vals, valStart[i], valStart[i + 1]);
        String site = null;
        String text = null;
        byte[] bytes = null;
        int signal = -1;
        switch (kind) {
            case CALL -> site = sites.getOrDefault(refs[i], "");
            case RETURN -> signal = refs[i] - 1;
            case ABORT, SEGV -> text = texts.get(refs[i]);
            case WRITE -> {
                if (refs[i] >= 0) {
                    bytes = Arrays.copyOfRange(data, refs[i], refs[i] + (int) v[1]);
                }
            }
            case OUTPUT -> bytes = Arrays.copyOfRange(data, refs[i], refs[i] + (int) v[1]);
            default -> {
            }
        }
        return new Event(i, kind, depths[i], fns[i], v, site, text, bytes, signal);
    }

    /** The kind of event {@code i}, without making an {@link Event}. */
    public EventKind kind(int i) {
        return EventKind.ofTag(kinds[i]);
    }

    /** The depth of event {@code i}. */
    public int depth(int i) {
        return depths[i];
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
        return calls.length;
    }

    /** The event index of the N-th top-level call (1-based, as steps are numbered). */
    public int callOfStep(int step) {
        if (step < 1 || step > calls.length) {
            throw new IndexOutOfBoundsException("step " + step + " (the timeline has steps 0.." + calls.length + ")");
        }
        return calls[step - 1];
    }

    /**
     * The index of the first event that is not part of step {@code step}: the (step+1)-th top-level
     * call, or {@link #size()} for the last step. Step N's state includes the writes made between the
     * N-th call and the next.
     */
    public int endOfStep(int step) {
        if (step < 0 || step > calls.length) {
            throw new IndexOutOfBoundsException("step " + step + " (the timeline has steps 0.." + calls.length + ")");
        }
        return step < calls.length ? calls[step] : size;
    }

    /** The step an event belongs to: the number of top-level calls at or before it. */
    public int stepOf(int event) {
        int i = Arrays.binarySearch(calls, event);
        return i >= 0 ? i + 1 : -i - 1;
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
        return step == 0 ? 0 : calls[step - 1];
    }

    private List<ProgramOutput> outputBetween(int from, int to) {
        int i = Arrays.binarySearch(outputs, from);
        i = i >= 0 ? i : -i - 1;
        List<ProgramOutput> runs = new ArrayList<>();
        while (i < outputs.length && outputs[i] < to) {
            int first = outputs[i];
            int stream = (int) vals[valStart[first]];
            int len = 0;
            int j = i;
            while (j < outputs.length && outputs[j] < to && outputs[j] == first + (j - i)
                    && vals[valStart[outputs[j]]] == stream) {
                len += (int) vals[valStart[outputs[j]] + 1];
                j++;
            }
            byte[] b = new byte[len];
            int at = 0;
            for (int k = i; k < j; k++) {
                int n = (int) vals[valStart[outputs[k]] + 1];
                System.arraycopy(data, refs[outputs[k]], b, at, n);
                at += n;
            }
            runs.add(new ProgramOutput(first, stepOf(first), depths[first], stream,
                    new String(b, StandardCharsets.UTF_8)));
            i = j;
        }
        return runs;
    }

    // ================================================================ decoding

    private static final class Decoder {
        final byte[] data;
        final String name;
        TimelineHeader header;
        String problem;
        final Map<Integer, String> sites = new LinkedHashMap<>();
        final List<String> texts = new ArrayList<>();

        int n;
        byte[] kinds = new byte[1024];
        byte[] depths = new byte[1024];
        int[] fns = new int[1024];
        int[] refs = new int[1024];
        int[] valStart = new int[1025];
        int nv;
        long[] vals = new long[4096];
        int nCalls;
        int[] calls = new int[256];
        int nOutputs;
        int[] outputs = new int[64];

        int p;
        int end;
        long lastAddr;
        int open;
        final int[] openFns = new int[64];

        Decoder(byte[] data, String name) {
            this.data = data;
            this.name = name;
        }

        void run() throws IOException {
            if (data.length < TimelineFormat.PREAMBLE
                    || !Arrays.equals(data, 0, TimelineFormat.MAGIC.length, TimelineFormat.MAGIC, 0,
                    TimelineFormat.MAGIC.length)) {
                throw new IOException(name + ": not a mallocscope timeline (bad magic)");
            }
            int version = data[TimelineFormat.MAGIC.length] & 0xff;
            if (version < TimelineFormat.MIN_VERSION || version > TimelineFormat.VERSION) {
                throw new IOException(name + ": timeline format version " + version + " is not supported (this reader knows "
                        + TimelineFormat.MIN_VERSION + " to " + TimelineFormat.VERSION + ")");
            }
            int at = TimelineFormat.PREAMBLE;
            boolean first = true;
            while (at < data.length) {
                String bad = checkBlock(at);
                if (bad != null) {
                    if (first) {
                        throw new IOException(name + ": the header block is unreadable (" + bad + ")");
                    }
                    problem = bad + " at byte " + at + ", after " + n + " events; reading stopped there";
                    return;
                }
                int len = intAt(at);
                p = at + TimelineFormat.BLOCK_HEADER;
                end = p + len;
                int blockEvents = n;
                try {
                    if (first) {
                        readHeader();
                        first = false;
                    }
                    while (p < end) {
                        record();
                    }
                } catch (RuntimeException e) {
                    if (header == null) {
                        throw new IOException(name + ": the header is corrupt (" + e.getMessage() + ")");
                    }
                    n = blockEvents; // drop the block's partial decode
                    problem = "corrupt record in the block at byte " + at + " (" + e.getMessage() + "), after "
                            + n + " events; reading stopped there";
                    rebuildCalls();
                    return;
                }
                at = end;
            }
            if (first) {
                throw new IOException(name + ": the file has no header (it ends at byte " + data.length + ")");
            }
        }

        private String checkBlock(int at) {
            if (data.length - at < TimelineFormat.BLOCK_HEADER) {
                return "torn block header (" + (data.length - at) + " of 8 bytes)";
            }
            int len = intAt(at);
            if (len < 0 || len > TimelineFormat.MAX_BLOCK) {
                return "corrupt block length " + Integer.toUnsignedString(len);
            }
            if (data.length - at - TimelineFormat.BLOCK_HEADER < len) {
                return "torn block (" + (data.length - at - TimelineFormat.BLOCK_HEADER) + " of " + len + " bytes present)";
            }
            CRC32 crc = new CRC32();
            crc.update(data, at + TimelineFormat.BLOCK_HEADER, len);
            if ((int) crc.getValue() != intAt(at + 4)) {
                return "corrupt block (checksum mismatch)";
            }
            return null;
        }

        private void rebuildCalls() {
            int c = 0;
            for (int i = 0; i < nCalls; i++) {
                if (calls[i] < n) {
                    calls[c++] = calls[i];
                }
            }
            nCalls = c;
            nv = valStart[n];
        }

        private int intAt(int at) {
            return (data[at] & 0xff) | (data[at + 1] & 0xff) << 8 | (data[at + 2] & 0xff) << 16
                    | (data[at + 3] & 0xff) << 24;
        }

        private void readHeader() {
            if (u8() != TimelineFormat.TAG_HEADER) {
                throw new IllegalStateException("the first record is not a header");
            }
            int count = (int) varint();
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String k = string();
                fields.put(k, string());
            }
            header = new TimelineHeader(data[TimelineFormat.MAGIC.length] & 0xff, fields);
        }

        private void record() {
            int at = p;
            int tag = u8();
            switch (tag) {
                case TimelineFormat.TAG_SITE -> {
                    int id = (int) varint();
                    sites.put(id, string());
                    return;
                }
                case TimelineFormat.TAG_FILL -> {
                    begin(EventKind.WRITE, -1, -1);
                    long addr = pointer();
                    long len = varint();
                    val(addr);
                    val(len);
                    val(u8());
                    return;
                }
                case TimelineFormat.TAG_RETURN_UNWOUND -> {
                    int how = (int) varint();
                    closeCall(how == 0 ? 0 : how);
                    return;
                }
                default -> {
                }
            }
            EventKind kind = EventKind.ofTag(tag);
            if (kind == null) {
                throw new IllegalStateException("unknown record tag " + tag + " at byte " + at);
            }
            switch (kind) {
                case CALL -> {
                    int fn = fn();
                    int site = (int) varint();
                    if (open == 0) {
                        if (nCalls == calls.length) {
                            calls = Arrays.copyOf(calls, nCalls * 2);
                        }
                        calls[nCalls++] = n;
                    }
                    begin(kind, fn, site);
                    args(fn);
                    if (open < openFns.length) {
                        openFns[open] = fn;
                    }
                    open++;
                }
                case RETURN -> {
                    if (open == 0) {
                        throw new IllegalStateException("a return without a call");
                    }
                    int fn = openFns[Math.min(open - 1, openFns.length - 1)];
                    open--;
                    begin(kind, fn, 0);
                    val(value(Functions.RESULTS[fn]));
                }
                case TCACHE_PUT, TCACHE_GET -> {
                    begin(kind, -1, 0);
                    val(pointer());
                    val(varint());
                    val(varint());
                    val(varint());
                }
                case BIN_INSERT, BIN_REMOVE -> {
                    begin(kind, -1, 0);
                    val(varint());
                    val(varint());
                    val(pointer());
                    val(varint());
                    val(varint());
                }
                case SPLIT, TOP_EXTEND -> {
                    begin(kind, -1, 0);
                    val(pointer());
                    val(varint());
                    val(pointer());
                    val(varint());
                }
                case COALESCE -> {
                    begin(kind, -1, 0);
                    for (int i = 0; i < 3; i++) {
                        val(pointer());
                        val(varint());
                    }
                }
                case TOP_SHRINK -> {
                    begin(kind, -1, 0);
                    val(pointer());
                    val(varint());
                    val(varint());
                }
                case MMAP_CHUNK, MUNMAP_CHUNK -> {
                    begin(kind, -1, 0);
                    val(pointer());
                    val(varint());
                }
                case CONSOLIDATE -> begin(kind, -1, 0);
                case SYSCALL -> {
                    int fn = fn();
                    begin(kind, fn, 0);
                    args(fn);
                    val(value(Functions.RESULTS[fn]));
                }
                case THRESHOLD -> {
                    begin(kind, -1, 0);
                    val(varint());
                    val(zigzag());
                    val(zigzag());
                }
                case ABORT -> {
                    begin(kind, -1, texts.size());
                    texts.add(string());
                }
                case SEGV -> {
                    long addr = pointer();
                    long flags = varint();
                    begin(kind, -1, texts.size());
                    texts.add(string());
                    val(addr);
                    val(flags & 1);
                    val(flags >>> 1);
                }
                case WRITE -> {
                    long addr = pointer();
                    int len = (int) varint();
                    if (len < 0 || len > end - p) {
                        throw new IllegalStateException("write of " + len + " bytes runs past its block");
                    }
                    begin(kind, -1, p);
                    p += len;
                    val(addr);
                    val(len);
                    val(-1);
                }
                case OUTPUT -> {
                    long stream = varint();
                    if (stream != TimelineFormat.STDOUT && stream != TimelineFormat.STDERR) {
                        throw new IllegalStateException("output on stream " + stream + " (not 1 or 2)");
                    }
                    int len = (int) varint();
                    if (len < 0 || len > end - p) {
                        throw new IllegalStateException("output of " + len + " bytes runs past its block");
                    }
                    if (nOutputs == outputs.length) {
                        outputs = Arrays.copyOf(outputs, nOutputs * 2);
                    }
                    outputs[nOutputs++] = n;
                    begin(kind, -1, p);
                    p += len;
                    val(stream);
                    val(len);
                }
                default -> throw new IllegalStateException("unexpected " + kind);
            }
        }

        private void closeCall(int how) {
            if (open == 0) {
                throw new IllegalStateException("a return without a call");
            }
            int fn = openFns[Math.min(open - 1, openFns.length - 1)];
            open--;
            begin(EventKind.RETURN, fn, how); // refs - 1 = signal (how 0: void return → -1)
        }

        private int fn() {
            int fn = (int) varint();
            if (fn < 0 || fn >= Functions.count()) {
                throw new IllegalStateException("unknown function number " + fn);
            }
            return fn;
        }

        private void args(int fn) {
            for (char k : Functions.ARGS[fn]) {
                val(value(k));
            }
        }

        private long value(char k) {
            return switch (k) {
                case 'P' -> pointer();
                case 'U' -> varint();
                default -> zigzag();
            };
        }

        private void begin(EventKind kind, int fn, int ref) {
            if (n == kinds.length) {
                int cap = n * 2;
                kinds = Arrays.copyOf(kinds, cap);
                depths = Arrays.copyOf(depths, cap);
                fns = Arrays.copyOf(fns, cap);
                refs = Arrays.copyOf(refs, cap);
                valStart = Arrays.copyOf(valStart, cap + 1);
            }
            kinds[n] = (byte) kind.ordinal();
            depths[n] = (byte) Math.min(open, 127);
            fns[n] = fn;
            refs[n] = ref;
            valStart[n] = nv;
            n++;
            valStart[n] = nv;
        }

        private void val(long v) {
            if (nv == vals.length) {
                vals = Arrays.copyOf(vals, nv * 2);
            }
            vals[nv++] = v;
            valStart[n] = nv;
        }

        private int u8() {
            if (p >= end) {
                throw new IllegalStateException("record runs past its block");
            }
            return data[p++] & 0xff;
        }

        private long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalStateException("varint longer than 10 bytes");
        }

        private long zigzag() {
            long z = varint();
            return (z >>> 1) ^ -(z & 1);
        }

        private long pointer() {
            lastAddr += zigzag();
            return lastAddr;
        }

        private String string() {
            int len = (int) varint();
            if (len < 0 || len > end - p) {
                throw new IllegalStateException("string of " + len + " bytes runs past its block");
            }
            String s = new String(data, p, len, StandardCharsets.UTF_8);
            p += len;
            return s;
        }
    }
}
