package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.Mallinfo2;
import io.mallocscope.runtime.vm.AddressSpace;

import java.io.IOException;
import java.io.UncheckedIOException;

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
        TraceRunner runner = TraceRunner.onMalloc(trace, process);
        AddressSpace mem = process.memory();
        long base = process.kernel().currentBrk();
        StringBuilder sb = new StringBuilder(64);
        try {
            for (int i = 0, n = trace.size(); i < n; i++) {
                long r = runner.call(i);
                TraceOp op = trace.op(i);
                switch (op.returns()) {
                    case BLOCK -> {
                        sb.append(op.letter()).append(' ').append(trace.id(i)).append(' ');
                        place(sb, r, mem, base);
                        sb.append('\n');
                    }
                    case INT -> sb.append(op.letter()).append(' ').append(r).append('\n');
                    case BREAK -> {
                        sb.append(op.letter()).append(' ');
                        breakPlace(sb, r, base);
                        sb.append('\n');
                    }
                    case NOTHING -> {
                    }
                }
                if (sb.length() > 8192) {
                    flush(out, sb);
                }
            }
            epilogue(sb, process, base);
        } finally {
            flush(out, sb);
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

    /**
     * Where block {@code p} is, as the harness prints it: "NULL", or its place ("H+0x2a0" from the break at
     * main, "M+0x10" in its page for an mmapped chunk) and its raw size word ("H+0x2a0 0x21").
     */
    static void place(StringBuilder sb, long p, AddressSpace mem, long base) {
        if (p == 0) {
            sb.append("NULL");
            return;
        }
        long size = mem.read64(p - 8);
        if ((size & 2) != 0) {
            sb.append("M+0x").append(Long.toHexString(p & 0xfff));
        } else {
            heapOff(sb, p - base);
        }
        sb.append(" 0x").append(Long.toHexString(size));
    }

    /** sbrk's result: the old break's offset from the break at main, or "FAIL". */
    static void breakPlace(StringBuilder sb, long old, long base) {
        if (old == -1) {
            sb.append("FAIL");
        } else {
            heapOff(sb, old - base);
        }
    }

    private static void flush(Appendable out, StringBuilder sb) {
        try {
            out.append(sb);
            sb.setLength(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
