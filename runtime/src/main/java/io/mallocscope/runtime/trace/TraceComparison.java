package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.GlibcProfile;
import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.signal.OutOfMemoryKill;
import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.vm.AddressSpace;

import java.io.ByteArrayOutputStream;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replays one trace under several glibc profiles side by side and says where they part ways: the
 * engine of {@code mallocscope compare}. This is the model; the CLI renders it (its
 * {@code TraceComparisonText} prints the side-by-side table).
 *
 * <p>Each version runs in its own fresh simulated process with the same tunables (the trace's own
 * {@code # tunables:} line wins over the argument, as in {@link OffsetsReplay}). For every op each
 * version has an {@link Outcome}: the block's place in the offsets format ({@code H+0x2a0},
 * {@code M+0x10}) with its raw size word, {@code NULL}, the value of a trim/mallopt/sbrk, {@code ok}
 * for a free, or {@code abort: MESSAGE} when glibc's integrity checks stop the process. An abort ends
 * that version's column: its later rows are {@link Kind#NOT_RUN}. A last row compares the break at
 * exit. A row is divergent when its outcomes are not all equal.
 *
 * <p>Unlike the reference harness (and {@link OffsetsReplay}), which forgets a pointer once it is
 * freed, {@code f ID} here frees whatever the ID last held, so freeing an ID twice is a double free of
 * the same block, as in a C program: that is how the versions' double-free checks are compared. Traces
 * that never free an ID twice replay exactly as in the harness.
 *
 * <pre>{@code
 * Result r = TraceComparison.compare(Trace.parse("t", "a 0 24\nf 0\nf 0\n"), List.of("2.27", "2.36"), null);
 * r.firstDivergence().get().summary(); // "2.27 and 2.36 diverge at op #1 (a 0 24): H+0x260 vs H+0x2a0"
 * r.row(2).outcomes();                 // [ok, abort: free(): double free detected in tcache 2]
 * r.divergentRows();                   // 4
 * }</pre>
 */
public final class TraceComparison {
    private TraceComparison() {
    }

    /** What an outcome is. */
    public enum Kind {
        /** A block: {@link Outcome#where()} and {@link Outcome#sizeField()} are set. */
        POINTER,
        /** The call returned NULL. */
        NULL,
        /** malloc_trim/mallopt result, sbrk's old break (or FAIL), or the break at exit. */
        VALUE,
        /** A free that returned normally. */
        DONE,
        /** glibc aborted (SIGABRT) with {@link Outcome#message()}. */
        ABORT,
        /** The process faulted (SIGSEGV) with {@link Outcome#message()}. */
        SEGFAULT,
        /** The out-of-memory killer ended the process (SIGKILL) with {@link Outcome#message()}. */
        KILLED,
        /** The version had already stopped at an earlier op. */
        NOT_RUN
    }

    /**
     * One version's outcome for one op. {@code text} is what the table shows: {@code "H+0x2a0 0x291"},
     * {@code "NULL"}, {@code "1"}, {@code "ok"}, {@code "abort: MESSAGE"}, {@code "segfault: …"} or
     * {@code "—"}. Two outcomes are the same exactly when their texts are equal.
     */
    public record Outcome(Kind kind, String text, String where, long sizeField, String message) {
        static final Outcome NOT_RUN = new Outcome(Kind.NOT_RUN, "—", null, 0, null);

        /** The short form used in divergence summaries: the place alone for a block, else the text. */
        public String brief() {
            return kind == Kind.POINTER ? where : text;
        }
    }

    /**
     * One op (or, last, the break at exit). {@code number} is 1-based, {@code op} the trace line
     * ({@code "a 0 24"}); {@code outcomes} are in the order of {@link Result#versions()}.
     */
    public record Row(int number, String op, List<Outcome> outcomes, boolean divergent) {
    }

    /**
     * Where the versions first differ. {@code groups} maps each distinct outcome, in column order, to
     * the versions that had it; an outcome is named by its place alone ({@code H+0x2a0}) unless only
     * the size words differ, then by its full text.
     */
    public record Divergence(int number, String op, Map<String, List<String>> groups) {
        /** "2.36 and 2.43 diverge at op #1 (a 0 24): H+0x2a0 vs H+0x10". */
        public String summary() {
            List<String> names = new ArrayList<>();
            List<String> values = new ArrayList<>();
            groups.forEach((value, versions) -> {
                names.add(String.join("/", versions));
                values.add(value);
            });
            String where = number > 0 ? "op #" + number + " (" + op + ")" : op;
            if (names.size() == 2) {
                return names.get(0) + " and " + names.get(1) + " diverge at " + where + ": " + values.get(0) + " vs "
                        + values.get(1);
            }
            StringBuilder sb = new StringBuilder("versions diverge at ").append(where).append(": ");
            for (int i = 0; i < names.size(); i++) {
                sb.append(i == 0 ? "" : "; ").append(names.get(i)).append(' ').append(values.get(i));
            }
            return sb.toString();
        }
    }

    /** The comparison of one trace. Rows are made on demand, so long traces stay compact in memory. */
    public static final class Result {
        private final String traceName;
        private final List<String> versions;
        private final String tunables;
        private final Trace trace;
        /** Set for a trace with thread lines: each op's row names its thread. */
        private final ThreadedTrace threaded;
        private final Column[] columns;
        private final BitSet divergent;
        private final int size;

        private Result(String traceName, List<String> versions, String tunables, Trace trace, ThreadedTrace threaded,
                       Column[] columns) {
            this.traceName = traceName;
            this.versions = versions;
            this.tunables = tunables;
            this.trace = trace;
            this.threaded = threaded;
            this.columns = columns;
            this.size = trace.size() + 1;
            this.divergent = new BitSet(size);
            for (int i = 0; i < size; i++) {
                for (int v = 1; v < columns.length; v++) {
                    if (!columns[0].sameAs(i, columns[v])) {
                        divergent.set(i);
                        break;
                    }
                }
            }
        }

        /** The trace's name. */
        public String traceName() {
            return traceName;
        }

        /** The versions compared, in column order (normalised: "2.36", not "glibc-2.36"). */
        public List<String> versions() {
            return versions;
        }

        /** The tunables every version ran with ("" for none). */
        public String tunables() {
            return tunables;
        }

        /** One row per op, then the break at exit: {@code size()} rows in all. */
        public List<Row> rows() {
            return new AbstractList<>() {
                @Override
                public Row get(int index) {
                    return row(index);
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }

        /** Row {@code index} (0-based: op #index+1, or the break at exit for the last one). */
        public Row row(int index) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("row " + index + " of " + size);
            }
            List<Outcome> outs = new ArrayList<>(columns.length);
            for (Column c : columns) {
                outs.add(c.outcome(index));
            }
            boolean last = index == size - 1;
            return new Row(last ? 0 : index + 1, last ? "break at exit" : threaded != null
                    ? threaded.opThread(index) + ": " + opText(trace, index) : opText(trace, index),
                    Collections.unmodifiableList(outs), divergent.get(index));
        }

        /** Whether row {@code index} is divergent, without making the row. */
        public boolean divergent(int index) {
            return divergent.get(index);
        }

        /** The number of divergent rows. */
        public long divergentRows() {
            return divergent.cardinality();
        }

        /** The first divergent row, if any. */
        public Optional<Divergence> firstDivergence() {
            int i = divergent.nextSetBit(0);
            if (i < 0) {
                return Optional.empty();
            }
            Row r = row(i);
            // group by the full outcome; name the groups by the place alone unless that hides the difference
            Map<String, List<String>> byText = new LinkedHashMap<>();
            Map<String, String> briefOf = new LinkedHashMap<>();
            for (int v = 0; v < versions.size(); v++) {
                Outcome o = r.outcomes().get(v);
                byText.computeIfAbsent(o.text(), x -> new ArrayList<>()).add(versions.get(v));
                briefOf.put(o.text(), o.brief());
            }
            boolean briefEnough = new LinkedHashSet<>(briefOf.values()).size() == byText.size();
            Map<String, List<String>> groups = new LinkedHashMap<>();
            byText.forEach((text, vs) -> groups.put(briefEnough ? briefOf.get(text) : text, List.copyOf(vs)));
            return Optional.of(new Divergence(r.number(), r.op(), groups));
        }

    }

    /** One version's results, one slot per op plus the break at exit. */
    private static final class Column {
        static final byte DONE = 0;
        /** a block in the heap: a = its offset from the break at main, b = its size word */
        static final byte HEAP = 1;
        /** a block of a non-main arena: {@link #places} = its place ({@code A1+0xb70}), b = its size word */
        static final byte ARENA = 7;
        /** an mmapped block: a = its page offset, b = its size word */
        static final byte MMAP = 2;
        static final byte NULL = 3;
        /** trim/mallopt: a = the int result */
        static final byte VALUE = 4;
        /** sbrk: a = the old break's offset */
        static final byte SBRK = 5;
        static final byte SBRK_FAIL = 6;
        static final byte STOPPED = 100;
        static final byte NOT_RUN = 101;
        /** the break at exit: a = its offset */
        static final byte BRK = 102;
        final byte[] kind;
        final long[] a;
        final long[] b;
        /** The places of {@link #ARENA} blocks (a threaded trace's column), else null. */
        String[] places;
        Kind stopKind;
        String stopMessage;

        Column(int n) {
            kind = new byte[n + 1];
            a = new long[n + 1];
            b = new long[n + 1];
        }

        /** Files the result {@code r} of op {@code i}. */
        void record(int i, TraceOp op, long r, AddressSpace mem, long base) {
            switch (op.returns()) {
                case BLOCK -> {
                    if (r == 0) {
                        kind[i] = NULL;
                    } else {
                        long size = mem.read64(r - 8);
                        boolean mmapped = (size & 2) != 0;
                        kind[i] = mmapped ? MMAP : HEAP;
                        a[i] = mmapped ? r & 0xfff : r - base;
                        b[i] = size;
                    }
                }
                case INT -> {
                    kind[i] = VALUE;
                    a[i] = r;
                }
                case BREAK -> {
                    kind[i] = r == -1 ? SBRK_FAIL : SBRK;
                    a[i] = r - base;
                }
                case NOTHING -> kind[i] = DONE;
            }
        }

        boolean sameAs(int i, Column o) {
            if (kind[i] != o.kind[i]) {
                return false;
            }
            return switch (kind[i]) {
                case STOPPED -> stopKind == o.stopKind && stopMessage.equals(o.stopMessage);
                case ARENA -> places[i].equals(o.places[i]) && b[i] == o.b[i];
                case NOT_RUN, DONE, NULL, SBRK_FAIL -> true;
                default -> a[i] == o.a[i] && b[i] == o.b[i];
            };
        }

        Outcome outcome(int i) {
            long x = a[i];
            return switch (kind[i]) {
                case DONE -> TraceComparison.DONE;
                case NULL -> TraceComparison.NULL;
                case HEAP, MMAP -> {
                    StringBuilder w = new StringBuilder();
                    if (kind[i] == MMAP) {
                        w.append("M+0x").append(Long.toHexString(x));
                    } else {
                        OffsetsReplay.heapOff(w, x);
                    }
                    String where = w.toString();
                    yield new Outcome(Kind.POINTER, where + " 0x" + Long.toHexString(b[i]), where, b[i], null);
                }
                case ARENA -> new Outcome(Kind.POINTER, places[i] + " 0x" + Long.toHexString(b[i]), places[i], b[i], null);
                case VALUE -> new Outcome(Kind.VALUE, Long.toString(x), null, 0, null);
                case SBRK, BRK -> {
                    StringBuilder w = new StringBuilder();
                    OffsetsReplay.heapOff(w, x);
                    yield new Outcome(Kind.VALUE, w.toString(), null, 0, null);
                }
                case SBRK_FAIL -> new Outcome(Kind.VALUE, "FAIL", null, 0, null);
                case STOPPED -> new Outcome(stopKind, (stopKind == Kind.ABORT ? "abort: "
                        : stopKind == Kind.KILLED ? "killed: " : "segfault: ") + stopMessage,
                        null, 0, stopMessage);
                default -> Outcome.NOT_RUN;
            };
        }
    }

    private static final Outcome DONE = new Outcome(Kind.DONE, "ok", null, 0, null);
    private static final Outcome NULL = new Outcome(Kind.NULL, "NULL", null, 0, null);

    /**
     * Replays {@code trace} once per version and lines the outcomes up.
     *
     * @param versions glibc versions as accepted by the allocator ("2.23" … "2.43"), at least one, no repeats
     * @param tunables GLIBC_TUNABLES syntax or null; the trace's own {@code # tunables:} line wins
     * @throws IllegalArgumentException for an empty list, a repeated or unknown version, or malformed
     *     tunables (the message says which)
     */
    public static Result compare(Trace trace, List<String> versions, String tunables) {
        List<String> names = versions(versions);
        String effective = trace.tunables() != null ? trace.tunables() : tunables == null ? "" : tunables;
        Column[] columns = new Column[names.size()];
        for (int v = 0; v < columns.length; v++) {
            columns[v] = run(trace, names.get(v), effective);
        }
        return new Result(trace.name(), List.copyOf(names), effective, trace, null, columns);
    }

    /**
     * Replays the trace with thread lines {@code trace} once per version ({@link ThreadedReplay}, a
     * line at a time) and lines the ops' outcomes up as {@link #compare(Trace, List, String)} does; a
     * block of a non-main arena is named as the offsets format names it ({@code A1+0xb70}, arenas
     * numbered in order of appearance in each version), and each row's op names its thread
     * ({@code 1: a 1 24}). A signal raised by a thread line (a thread's exit freeing its tcache into
     * bad memory) leaves the later ops not run and shows in the break-at-exit row, which was never reached.
     */
    public static Result compare(ThreadedTrace trace, List<String> versions, String tunables) {
        List<String> names = versions(versions);
        String effective = trace.tunables() != null ? trace.tunables() : tunables == null ? "" : tunables;
        Column[] columns = new Column[names.size()];
        for (int v = 0; v < columns.length; v++) {
            columns[v] = run(trace, names.get(v), effective);
        }
        return new Result(trace.name(), List.copyOf(names), effective, trace.ops(), trace, columns);
    }

    private static List<String> versions(List<String> versions) {
        if (versions == null || versions.isEmpty()) {
            throw new IllegalArgumentException("compare needs at least one glibc version");
        }
        List<String> names = new ArrayList<>();
        for (String v : versions) {
            String name = GlibcProfile.forVersion(v).version();
            if (names.contains(name)) {
                throw new IllegalArgumentException("glibc " + name + " is listed twice");
            }
            names.add(name);
        }
        return names;
    }

    /** One version's column of a threaded trace: a result per op, then the break at exit (NOT_RUN after a stop). */
    private static Column run(ThreadedTrace trace, String version, String tunables) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ProcessOptions o = ProcessOptions.defaults().withGlibc(version).withTunables(tunables).withStdout(sink).withStderr(sink);
        int n = trace.ops().size();
        Column col = new Column(n);
        col.places = new String[n + 1];
        try (ThreadedReplay r = ThreadedReplay.stepping(trace, o, true)) {
            AddressSpace mem = r.process().memory();
            long base = r.base();
            int stopped = -1;
            int nextOp = 0;
            while (r.done() < trace.size() && stopped < 0) {
                ThreadedReplay.Line line = r.next();
                Step s = line.step();
                if (s == null) {
                    if (line.signal() != null) {
                        // a thread line's signal (a thread's exit, pthread_create): no later op ran, and
                        // the process never reached its exit, whose row says why
                        stopped(col, line.signal());
                        Arrays.fill(col.kind, nextOp, n, Column.NOT_RUN);
                        stopped = n;
                    }
                    continue;
                }
                int i = s.index();
                nextOp = i + 1;
                if (s.signal() != null) {
                    stopped(col, s.signal());
                    stopped = i;
                } else if (s.op().returns() == TraceOp.Returns.BLOCK && s.result() != 0
                        && (mem.read64(s.result() - 8) & 6) == 4) {
                    String where = r.where(s.result());
                    col.kind[i] = Column.ARENA;
                    col.places[i] = where.substring(0, where.indexOf(' '));
                    col.b[i] = mem.read64(s.result() - 8);
                } else {
                    col.record(i, s.op(), s.result(), mem, base);
                }
            }
            if (stopped >= 0) {
                col.kind[stopped] = Column.STOPPED;
                Arrays.fill(col.kind, stopped + 1, n + 1, Column.NOT_RUN);
            } else {
                col.kind[n] = Column.BRK;
                col.a[n] = r.process().kernel().currentBrk() - base;
            }
        }
        return col;
    }

    private static void stopped(Column col, SimulatedSignal signal) {
        col.stopKind = signal instanceof Abort ? Kind.ABORT : signal instanceof OutOfMemoryKill ? Kind.KILLED : Kind.SEGFAULT;
        col.stopMessage = signal.getMessage();
    }

    /** One version's column: a result per op, then the break at exit (NOT_RUN after a stop). */
    private static Column run(Trace trace, String version, String tunables) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CProcess p = CProcess.create(ProcessOptions.defaults().withGlibc(version).withTunables(tunables)
                .withStdout(sink).withStderr(sink));
        TraceRunner runner = TraceRunner.onMalloc(trace, p).freeKeepsPointer();
        long base = p.kernel().currentBrk();
        int n = trace.size();
        Column col = new Column(n);
        int i = 0;
        for (; i < n; i++) {
            try {
                col.record(i, trace.op(i), runner.call(i), p.memory(), base);
            } catch (Abort a) {
                col.stopKind = Kind.ABORT;
                col.stopMessage = a.getMessage();
                break;
            } catch (Segfault s) {
                col.stopKind = Kind.SEGFAULT;
                col.stopMessage = s.getMessage();
                break;
            } catch (OutOfMemoryKill k) {
                col.stopKind = Kind.KILLED;
                col.stopMessage = k.getMessage();
                break;
            }
        }
        if (i < n) {
            col.kind[i] = Column.STOPPED;
            Arrays.fill(col.kind, i + 1, n + 1, Column.NOT_RUN);
        } else {
            col.kind[n] = Column.BRK;
            col.a[n] = p.kernel().currentBrk() - base;
        }
        return col;
    }

    /** The trace line of op {@code i}: "a 0 24", "m 3 64 100", "o -3 65536", "s -4096". */
    static String opText(Trace t, int i) {
        return t.op(i).line(t.id(i), t.arg1(i), t.arg2(i));
    }
}
