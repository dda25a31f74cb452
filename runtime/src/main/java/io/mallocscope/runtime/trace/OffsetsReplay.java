package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.Mallinfo2;
import io.mallocscope.runtime.vm.AddressSpace;

import java.io.IOException;
import java.io.OutputStream;

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
     * written out before the signal propagates.
     */
    public static void run(TraceFile trace, ProcessOptions options, OutputStream out) throws IOException {
        ProcessOptions o = trace.tunables() != null ? options.withTunables(trace.tunables()) : options;
        CProcess process = CProcess.create(o);
        Lines lines = new Lines(process, out, 1 << 16);
        TraceRunner runner = TraceRunner.onMalloc(trace.maxId(), process);
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

    /** The lines of one replay, formatted into a buffer that is written out whenever it fills. */
    private static final class Lines {
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
                o.ascii("M+0x").hex(p & 0xfff);
            } else {
                heapOff(p - base);
            }
            o.ascii(" 0x").hex(size);
        }

        /** As {@link OffsetsReplay#heapOff(StringBuilder, long)}. */
        private void heapOff(long off) {
            if (off >= 0) {
                o.ascii("H+0x").hex(off);
            } else {
                o.ascii("H-0x").hex(-off);
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
