package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.Mallinfo2;
import io.mallocscope.runtime.vm.AddressSpace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Objects;
import java.util.function.Function;

/**
 * Replays a {@link Trace} in a fresh simulated process and prints, in the format of the reference
 * harness ({@code runtime/src/test/c/replay.c}), where each block landed:
 * <pre>
 *   a ID WHERE SIZE     (also r, c, m)   WHERE: H+0x.. / H-0x.. (offset from the initial break),
 *                                               M+0x.. (page offset, IS_MMAPPED chunks) or NULL
 *   t RESULT   o RESULT   s H+0x.. | s FAIL
 *   brk H+0x..
 *   mallinfo arena=… ordblks=… smblks=… hblks=… hblkhd=… fsmblks=… uordblks=… fordblks=… keepcost=…
 * </pre>
 * An abort propagates as {@link io.mallocscope.runtime.signal.Abort} after glibc's message went to the
 * process's stderr; what was printed before stays in {@code out}.
 */
public final class OffsetsReplay {
    private OffsetsReplay() {
    }

    /** Replays with glibc {@code version}; the trace's own {@code # tunables:} line wins over {@code tunables}. */
    public static void run(Trace trace, String version, String tunables, Appendable out) {
        run(trace, ProcessOptions.defaults().withGlibc(version).withTunables(tunables), out);
    }

    /** Replays in a process made from {@code options}; the trace's own tunables, if any, replace the options'. */
    public static void run(Trace trace, ProcessOptions options, Appendable out) {
        ProcessOptions o = trace.tunables() != null ? options.withTunables(trace.tunables()) : options;
        CProcess p = CProcess.create(o);
        run(trace, p, out);
    }

    /** Replays in an existing, fresh process. */
    public static void run(Trace trace, CProcess process, Appendable out) {
        Lines lines = new Lines(process, AsciiOut.toAppendable(out), 1 << 13);
        TraceRunner runner = TraceRunner.onMalloc(trace, process);
        try {
            for (int i = 0, n = trace.size(); i < n; i++) {
                lines.op(trace.op(i), trace.id(i), runner.call(i));
            }
            lines.epilogue();
        } finally {
            lines.flush();
        }
    }

    /**
     * Replays a trace read as a stream, op by op as it is read, writing the lines in ASCII to
     * {@code out} (which is not flushed): the same bytes as {@link #run(Trace, ProcessOptions, Appendable)}
     * gives, with neither the ops nor the lines all in memory. What was printed before a signal is
     * written out before the signal propagates. The trace's check must be over
     * ({@link TraceFile#awaitChecked()}).
     */
    public static void run(TraceFile trace, ProcessOptions options, OutputStream out) throws IOException {
        ProcessOptions o = trace.tunables() != null ? options.withTunables(trace.tunables()) : options;
        LinesFirst err = new LinesFirst(o.stderr(), out);
        CProcess process = CProcess.create(o.withStderr(new PrintStream(err, true)));
        Lines lines = new Lines(process, out, 1 << 16);
        err.lines = lines;
        TraceRunner runner = TraceRunner.onMalloc(process);
        try {
            trace.forEach((letters, ids, arg1, arg2, n) -> {
                for (int k = 0; k < n; k++) {
                    TraceOp op = TraceOp.ofLetter((char) letters[k]);
                    lines.op(op, ids[k], runner.call(op, ids[k], arg1[k], arg2[k]));
                }
            });
            lines.epilogue();
        } finally {
            lines.flush();
        }
    }

    /**
     * Replays a trace file, as {@link #run(TraceFile, ProcessOptions, OutputStream)} does, while
     * {@link TraceFile#checking} may still be checking it: the replay starts at once, in a process made
     * with the tunables of the lines read before its first op, and holds what it prints (its lines and
     * the process's standard error) in memory until the check is over, waiting for the check when
     * {@value #HOLD_LIMIT} bytes are held. Then a check that failed is thrown (its
     * {@link TraceFormatException} or {@link IOException}), with nothing printed; a trace whose
     * {@code # tunables:} lines, read to the end, name other tunables is replayed again from the start
     * in a process made with them; else what was held is written out and the replay goes on writing
     * straight through, and the rest of the file is read and parsed on another thread, a few batches
     * ahead, from where the check found the next batch starts. So the bytes written and the exception
     * thrown are those of checking first, then replaying.
     *
     * @param optionsFor the options of the process, given the trace's own tunables (null when it has
     *                   none); may throw, as for tunables a command refuses
     */
    public static void run(TraceFile trace, Function<String, ProcessOptions> optionsFor, OutputStream out)
            throws IOException {
        run(trace, optionsFor, out, HOLD_LIMIT);
    }

    /** As {@link #run(TraceFile, Function, OutputStream)}, holding at most about {@code holdLimit} bytes. */
    static void run(TraceFile trace, Function<String, ProcessOptions> optionsFor, OutputStream out, long holdLimit)
            throws IOException {
        if (trace.isChecked()) {
            trace.awaitChecked();
            run(trace, optionsFor.apply(trace.tunables()), out);
        } else {
            new Ahead(trace, optionsFor, out, holdLimit).run();
        }
    }

    /** Bytes of output (lines and the process's standard error) a replay ahead of its trace's check holds at most. */
    static final int HOLD_LIMIT = 16 << 20;

    /** A replay that runs while its trace is still being checked. */
    private static final class Ahead {
        private final TraceFile trace;
        private final Function<String, ProcessOptions> optionsFor;
        private final OutputStream out;
        private final Held held;
        private Held heldErr;
        /** The trace's tunables as the process was made with them (before it was: as it will be). */
        private String tunables;
        private Lines lines;
        private TraceRunner runner;
        private final long holdLimit;
        private boolean holding = true;
        /** The reader of the rest of the file, once it has taken over. */
        private Feed feed;

        Ahead(TraceFile trace, Function<String, ProcessOptions> optionsFor, OutputStream out, long holdLimit) {
            this.holdLimit = holdLimit;
            this.trace = trace;
            this.optionsFor = optionsFor;
            this.out = out;
            this.held = new Held(out, false);
        }

        void run() throws IOException {
            Throwable thrown = null;
            try {
                replay();
            } catch (Restart r) {
                again();
                return;
            } catch (IOException | RuntimeException | Error e) {
                thrown = e;
            }
            if (holding) {
                if (lines != null) {
                    lines.flush(); // into the held bytes
                }
                trace.awaitChecked(); // a trace that does not parse: its error, nothing printed
                if (!Objects.equals(trace.tunables(), tunables)) {
                    again();
                    return;
                }
                release();
            }
            if (thrown instanceof IOException e) {
                throw e;
            } else if (thrown instanceof RuntimeException e) {
                throw e;
            } else if (thrown instanceof Error e) {
                throw e;
            }
        }

        private void replay() throws IOException {
            Trace.Builder[] reader = new Trace.Builder[1];
            int[] batch = {0}; // the index of the batch being replayed
            reader[0] = new Trace.Builder(trace.name(), (letters, ids, arg1, arg2, n) -> {
                if (lines == null) {
                    start(reader[0].tunables());
                }
                play(letters, ids, arg1, arg2, n);
                if (holding && (trace.isChecked() || held.size() + heldErr.size() > holdLimit)) {
                    settle();
                    // the check is through: its thread's work is done, and it knows where each batch starts, so
                    // another thread reads the rest of the file for this one
                    int next = batch[0] + 1;
                    if (next <= trace.batchStarts()) {
                        feed = new Feed(trace, next);
                        throw new Handover();
                    }
                }
                batch[0]++;
            });
            try {
                try (InputStream in = Files.newInputStream(trace.path())) {
                    Trace.parse(in, reader[0]);
                } catch (Handover h) {
                    for (Feed.Batch b; (b = feed.take()) != null; feed.recycle(b)) {
                        play(b.letters, b.ids, b.arg1, b.arg2, b.n);
                    }
                }
                if (lines == null) {
                    start(reader[0].tunables());
                }
                lines.epilogue();
            } finally {
                if (feed != null) {
                    feed.stop();
                }
                if (lines != null && !holding) {
                    lines.flush();
                }
            }
        }

        private void play(byte[] letters, int[] ids, long[] arg1, long[] arg2, int n) {
            TraceRunner r = runner;
            Lines l = lines;
            for (int k = 0; k < n; k++) {
                TraceOp op = TraceOp.ofLetter((char) letters[k]);
                l.op(op, ids[k], r.call(op, ids[k], arg1[k], arg2[k]));
            }
        }

        /** Makes the process, with the trace's tunables as read so far. */
        private void start(String own) {
            tunables = own;
            ProcessOptions o = optionsFor.apply(own);
            LinesFirst err = new LinesFirst(o.stderr(), out);
            heldErr = new Held(new PrintStream(err, true), true);
            CProcess process = CProcess.create(o.withStderr(heldErr));
            lines = new Lines(process, held, 1 << 16);
            err.lines = lines;
            runner = TraceRunner.onMalloc(process);
        }

        /** Waits for the check; then throws its error, starts again, or writes out what is held. */
        private void settle() {
            try {
                trace.awaitChecked();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // run() throws the check's own exception
            }
            if (!Objects.equals(trace.tunables(), tunables)) {
                throw new Restart();
            }
            release();
        }

        private void release() {
            holding = false;
            held.release(); // the lines first: what the process printed on stderr (an abort) came after them
            if (heldErr != null) { // null: the options for the process were refused
                heldErr.release();
            }
        }

        /** The replay again from the start, the check over: in a process with the trace's tunables. */
        private void again() throws IOException {
            OffsetsReplay.run(trace, optionsFor.apply(trace.tunables()), out);
        }
    }

    /** The replay's own reading of the file stops here: a {@link Feed} reads the rest. */
    private static final class Handover extends RuntimeException {
        Handover() {
            super(null, null, false, false);
        }
    }

    /**
     * The ops of a checked trace file from one of its batches on, read and parsed on a thread of its own
     * a few batches ahead of the replay that takes them ({@link #take()}).
     */
    static final class Feed {
        /** Batches read ahead at most. */
        static final int AHEAD = 8;
        private static final Object END = new Object();

        static final class Batch {
            final byte[] letters = new byte[Trace.BATCH];
            final int[] ids = new int[Trace.BATCH];
            final long[] arg1 = new long[Trace.BATCH];
            final long[] arg2 = new long[Trace.BATCH];
            int n;
        }

        private final java.util.concurrent.ArrayBlockingQueue<Object> full = new java.util.concurrent.ArrayBlockingQueue<>(AHEAD);
        private final java.util.concurrent.ArrayBlockingQueue<Batch> free = new java.util.concurrent.ArrayBlockingQueue<>(AHEAD + 2);
        private volatile boolean stopped;
        private final Thread reader;
        /** Batches the reader has queued (for tests). */
        private volatile int handedOver;

        Feed(TraceFile trace, int from) {
            reader = new Thread(() -> read(trace, from), "mallocscope trace reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read(TraceFile trace, int from) {
            try {
                trace.forEachFrom(from, (letters, ids, arg1, arg2, n) -> {
                    Batch b = free.poll();
                    if (b == null) {
                        b = new Batch();
                    }
                    System.arraycopy(letters, 0, b.letters, 0, n);
                    System.arraycopy(ids, 0, b.ids, 0, n);
                    System.arraycopy(arg1, 0, b.arg1, 0, n);
                    System.arraycopy(arg2, 0, b.arg2, 0, n);
                    b.n = n;
                    put(b);
                });
                put(END);
            } catch (Stopped s) {
                // the replay is over
            } catch (Throwable e) {
                try {
                    put(e);
                } catch (Stopped s) {
                    // the replay is over
                }
            }
        }

        /** Queues a batch (or the end, or what stopped the reading); a reader whose replay is over stops instead. */
        private void put(Object o) {
            try {
                // stop() empties the queue: without this first look the reader would fill it again
                while (stopped || !full.offer(o, 50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (stopped) {
                        throw new Stopped();
                    }
                }
            } catch (InterruptedException e) {
                throw new Stopped();
            }
            if (o instanceof Batch) {
                handedOver++; // the reader's own field: one writer
            }
        }

        /** The next batch, or null after the last; what stopped the reading (an IOException, …) is thrown. */
        Batch take() throws IOException {
            Object o;
            try {
                o = full.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while the trace was read");
            }
            if (o == END) {
                return null;
            } else if (o instanceof Batch b) {
                return b;
            } else if (o instanceof IOException e) {
                throw e;
            } else if (o instanceof RuntimeException e) {
                throw e;
            } else if (o instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException((Throwable) o);
        }

        void recycle(Batch b) {
            free.offer(b);
        }

        /** Ends the reading: the reader stops at its next batch. */
        void stop() {
            stopped = true;
            full.clear();
        }

        /** Batches waiting in the queue. */
        int queued() {
            return full.size();
        }

        /** Batches the reader queued in all. */
        int handedOver() {
            return handedOver;
        }

        /** Waits for the reader thread to end (after {@link #stop()}). */
        void awaitReader() throws InterruptedException {
            reader.join();
        }

        private static final class Stopped extends RuntimeException {
            Stopped() {
                super(null, null, false, false);
            }
        }
    }

    /** The trace's tunables are not those a replay ahead of its check started with. */
    private static final class Restart extends RuntimeException {
        Restart() {
            super(null, null, false, false);
        }
    }

    /**
     * A stream that holds what is written in memory, in pieces, until {@link #release()}, then
     * writes through (and flushes each time, if {@code flushing}).
     */
    private static final class Held extends OutputStream {
        private static final int PIECE = 1 << 18;
        private final OutputStream to;
        private final boolean flushing;
        private final ArrayList<byte[]> pieces = new ArrayList<>();
        private byte[] piece;
        private int n;
        private long size;
        private boolean released;

        Held(OutputStream to, boolean flushing) {
            this.to = to;
            this.flushing = flushing;
        }

        long size() {
            return size;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (released) {
                to.write(b, off, len);
                if (flushing) {
                    to.flush();
                }
                return;
            }
            size += len;
            while (len > 0) {
                if (piece == null || n == piece.length) {
                    piece = new byte[PIECE];
                    pieces.add(piece);
                    n = 0;
                }
                int k = Math.min(len, piece.length - n);
                System.arraycopy(b, off, piece, n, k);
                n += k;
                off += k;
                len -= k;
            }
        }

        @Override
        public void flush() throws IOException {
            if (released) {
                to.flush();
            }
        }

        /** Writes what is held and from now on writes through. */
        void release() {
            released = true;
            try {
                for (int i = 0; i < pieces.size(); i++) {
                    byte[] p = pieces.get(i);
                    to.write(p, 0, i == pieces.size() - 1 ? n : p.length);
                    pieces.set(i, null);
                }
                if (flushing) {
                    to.flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                pieces.clear();
                piece = null;
            }
        }
    }

    /**
     * The process's standard error during a replay: before its bytes (glibc's abort message), the lines
     * formatted so far are written out and {@code lineStream} flushed, so that on one terminal (or
     * {@code 2>&1}) the message comes after the lines printed before it, as the harness's does.
     */
    private static final class LinesFirst extends OutputStream {
        private final OutputStream to;
        private final OutputStream lineStream;
        Lines lines;

        LinesFirst(OutputStream to, OutputStream lineStream) {
            this.to = to;
            this.lineStream = lineStream;
        }

        private void linesOut() throws IOException {
            if (lines != null) {
                lines.flush();
                lineStream.flush();
            }
        }

        @Override
        public void write(int b) throws IOException {
            linesOut();
            to.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            linesOut();
            to.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            to.flush();
        }
    }

    /** The lines of one replay, formatted into a buffer that is written out whenever it fills. */
    private static final class Lines {
        private static final int H_PLUS = AsciiOut.quad("H+0x");
        private static final int H_MINUS = AsciiOut.quad("H-0x");
        private static final int M_PLUS = AsciiOut.quad("M+0x");
        private final CProcess process;
        private final AddressSpace mem;
        private final long base;
        private final AsciiOut o;
        private final int limit;

        Lines(CProcess process, OutputStream out, int size) {
            this.process = process;
            this.mem = process.memory();
            this.base = process.kernel().currentBrk();
            this.o = new AsciiOut(out, size + 256);
            this.limit = size;
        }

        /** The line of an op that returned {@code r} (none for free). */
        void op(TraceOp op, int id, long r) {
            switch (op.returns()) {
                case BLOCK -> {
                    o.ch(op.letter()).ch(' ').dec(id).ch(' ');
                    place(r);
                    o.ch('\n');
                }
                case INT -> o.ch(op.letter()).ch(' ').dec(r).ch('\n');
                case BREAK -> {
                    o.ch(op.letter()).ch(' ');
                    if (r == -1) {
                        o.ascii("FAIL");
                    } else {
                        heapOff(r - base);
                    }
                    o.ch('\n');
                }
                case NOTHING -> {
                }
            }
            o.flushOver(limit);
        }

        /**
         * Where block {@code p} is, as the harness prints it: "NULL", or its place ("H+0x2a0" from the break
         * at main, "M+0x10" in its page for an mmapped chunk) and its raw size word ("H+0x2a0 0x21").
         */
        private void place(long p) {
            if (p == 0) {
                o.ascii("NULL");
                return;
            }
            long size = mem.read64(p - 8);
            if ((size & 2) != 0) {
                o.ascii4(M_PLUS).hex(p & 0xfff);
            } else {
                heapOff(p - base);
            }
            o.ch(' ').ch('0').ch('x').hex(size);
        }

        /** As {@link OffsetsReplay#heapOff(StringBuilder, long)}. */
        private void heapOff(long off) {
            if (off >= 0) {
                o.ascii4(H_PLUS).hex(off);
            } else {
                o.ascii4(H_MINUS).hex(-off);
            }
        }

        void epilogue() {
            StringBuilder sb = new StringBuilder(256);
            OffsetsReplay.epilogue(sb, process, base);
            o.ascii(sb.toString());
        }

        void flush() {
            o.flush();
        }
    }

    /** The closing lines: the final break and mallinfo. */
    static void epilogue(StringBuilder sb, CProcess process, long base) {
        sb.append("brk ");
        heapOff(sb, process.kernel().currentBrk() - base);
        sb.append('\n');
        Mallinfo2 mi = process.malloc().mallinfo2();
        sb.append("mallinfo arena=").append(Long.toUnsignedString(mi.arena()))
                .append(" ordblks=").append(Long.toUnsignedString(mi.ordblks()))
                .append(" smblks=").append(Long.toUnsignedString(mi.smblks()))
                .append(" hblks=").append(Long.toUnsignedString(mi.hblks()))
                .append(" hblkhd=").append(Long.toUnsignedString(mi.hblkhd()))
                .append(" fsmblks=").append(Long.toUnsignedString(mi.fsmblks()))
                .append(" uordblks=").append(Long.toUnsignedString(mi.uordblks()))
                .append(" fordblks=").append(Long.toUnsignedString(mi.fordblks()))
                .append(" keepcost=").append(Long.toUnsignedString(mi.keepcost())).append('\n');
    }

    /** "H+0x2a0" / "H-0x10": an offset from the break at main, as the harness prints it. */
    static void heapOff(StringBuilder sb, long off) {
        if (off >= 0) {
            sb.append("H+0x").append(Long.toHexString(off));
        } else {
            sb.append("H-0x").append(Long.toHexString(-off));
        }
    }
}
