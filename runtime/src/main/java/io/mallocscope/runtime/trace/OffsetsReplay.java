package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.Mallinfo2;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;

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
 * An abort propagates as {@link io.mallocscope.runtime.Abort} after glibc's message went to the
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
        Malloc m = process.malloc();
        Kernel k = process.kernel();
        AddressSpace mem = process.memory();
        long base = k.currentBrk();
        long[] ptrs = new long[trace.maxId() + 1];
        StringBuilder sb = new StringBuilder(64);
        try {
            for (int i = 0, n = trace.size(); i < n; i++) {
                byte op = trace.op(i);
                int id = trace.id(i);
                long r;
                switch (op) {
                    case Trace.MALLOC -> {
                        r = m.malloc(trace.arg1(i));
                        ptrs[id] = r;
                        where(sb, 'a', id, r, mem, base);
                    }
                    case Trace.FREE -> {
                        m.free(ptrs[id]);
                        ptrs[id] = 0;
                    }
                    case Trace.REALLOC -> {
                        long bytes = trace.arg1(i);
                        r = m.realloc(ptrs[id], bytes);
                        if (r != 0 || bytes == 0 || ptrs[id] == 0) {
                            ptrs[id] = r;
                        }
                        where(sb, 'r', id, r, mem, base);
                    }
                    case Trace.CALLOC -> {
                        r = m.calloc(1, trace.arg1(i));
                        ptrs[id] = r;
                        where(sb, 'c', id, r, mem, base);
                    }
                    case Trace.MEMALIGN -> {
                        r = m.memalign(trace.arg1(i), trace.arg2(i));
                        ptrs[id] = r;
                        where(sb, 'm', id, r, mem, base);
                    }
                    case Trace.TRIM -> sb.append("t ").append(m.mallocTrim(trace.arg1(i))).append('\n');
                    case Trace.MALLOPT -> sb.append("o ").append(m.mallopt((int) trace.arg1(i), (int) trace.arg2(i)))
                            .append('\n');
                    case Trace.SBRK -> {
                        long old = k.sbrk(trace.arg1(i));
                        sb.append("s ");
                        if (old == -1) {
                            sb.append("FAIL");
                        } else {
                            heapOff(sb, old, base);
                        }
                        sb.append('\n');
                    }
                    default -> throw new IllegalStateException("op " + (char) op);
                }
                if (sb.length() > 8192) {
                    flush(out, sb);
                }
            }
            sb.append("brk ");
            heapOff(sb, k.currentBrk(), base);
            sb.append('\n');
            Mallinfo2 mi = m.mallinfo2();
            sb.append("mallinfo arena=").append(Long.toUnsignedString(mi.arena()))
                    .append(" ordblks=").append(Long.toUnsignedString(mi.ordblks()))
                    .append(" smblks=").append(Long.toUnsignedString(mi.smblks()))
                    .append(" hblks=").append(Long.toUnsignedString(mi.hblks()))
                    .append(" hblkhd=").append(Long.toUnsignedString(mi.hblkhd()))
                    .append(" fsmblks=").append(Long.toUnsignedString(mi.fsmblks()))
                    .append(" uordblks=").append(Long.toUnsignedString(mi.uordblks()))
                    .append(" fordblks=").append(Long.toUnsignedString(mi.fordblks()))
                    .append(" keepcost=").append(Long.toUnsignedString(mi.keepcost())).append('\n');
        } finally {
            flush(out, sb);
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

    private static void where(StringBuilder sb, char op, int id, long p, AddressSpace mem, long base) {
        sb.append(op).append(' ').append(id);
        if (p == 0) {
            sb.append(" NULL\n");
            return;
        }
        long sz = mem.read64(p - 8);
        sb.append(' ');
        if ((sz & 2) != 0) {
            sb.append("M+0x").append(Long.toHexString(p & 0xfff));
        } else {
            heapOff(sb, p, base);
        }
        sb.append(" 0x").append(Long.toHexString(sz)).append('\n');
    }

    private static void heapOff(StringBuilder sb, long addr, long base) {
        if (Long.compareUnsigned(addr, base) >= 0) {
            sb.append("H+0x").append(Long.toHexString(addr - base));
        } else {
            sb.append("H-0x").append(Long.toHexString(base - addr));
        }
    }
}
