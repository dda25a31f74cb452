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
        Stepper st = new Stepper(trace, process, false);
        StringBuilder sb = new StringBuilder(64);
        try {
            for (int i = 0, n = trace.size(); i < n; i++) {
                st.step(i, sb);
                if (sb.length() > 8192) {
                    flush(out, sb);
                }
            }
            st.epilogue(sb);
        } finally {
            flush(out, sb);
        }
    }

    /** Runs one trace op at a time in a process, writing each op's line in the harness format. */
    static final class Stepper {
        private final Trace trace;
        private final Malloc m;
        private final Kernel k;
        private final AddressSpace mem;
        private final long base;
        private final long[] ptrs;
        private final boolean freeKeepsPointer;

        /**
         * @param freeKeepsPointer false: like the harness, {@code f ID} forgets the pointer, so a second
         *                         {@code f ID} frees NULL; true: the ID keeps it, so a second free is a
         *                         double free of the same block (what a C program freeing twice does)
         */
        Stepper(Trace trace, CProcess process, boolean freeKeepsPointer) {
            this.freeKeepsPointer = freeKeepsPointer;
            this.trace = trace;
            this.m = process.malloc();
            this.k = process.kernel();
            this.mem = process.memory();
            this.base = k.currentBrk();
            this.ptrs = new long[trace.maxId() + 1];
        }

        // what exec reports: the kind of result, then resA/resB
        static final byte R_DONE = 0;
        /** a block: resA = offset from the break at main, resB = size word */
        static final byte R_HEAP = 1;
        /** an mmapped block: resA = its page offset, resB = size word */
        static final byte R_MMAP = 2;
        static final byte R_NULL = 3;
        /** trim/mallopt: resA = the int result */
        static final byte R_VALUE = 4;
        /** sbrk: resA = the old break's offset */
        static final byte R_SBRK = 5;
        static final byte R_SBRK_FAIL = 6;

        long resA;
        long resB;

        /** Runs op {@code i}; appends its line ("a ID WHERE SIZE\n" …; nothing for a free). */
        void step(int i, StringBuilder sb) {
            byte kind = exec(i);
            byte op = trace.op(i);
            switch (op) {
                case Trace.FREE -> {
                }
                case Trace.MALLOC, Trace.REALLOC, Trace.CALLOC, Trace.MEMALIGN -> {
                    sb.append((char) op).append(' ').append(trace.id(i));
                    if (kind == R_NULL) {
                        sb.append(" NULL\n");
                    } else {
                        sb.append(' ');
                        if (kind == R_MMAP) {
                            sb.append("M+0x").append(Long.toHexString(resA));
                        } else {
                            heapOff(sb, resA);
                        }
                        sb.append(" 0x").append(Long.toHexString(resB)).append('\n');
                    }
                }
                case Trace.TRIM, Trace.MALLOPT -> sb.append((char) op).append(' ').append(resA).append('\n');
                case Trace.SBRK -> {
                    sb.append("s ");
                    if (kind == R_SBRK_FAIL) {
                        sb.append("FAIL");
                    } else {
                        heapOff(sb, resA);
                    }
                    sb.append('\n');
                }
                default -> throw new IllegalStateException("op " + (char) op);
            }
        }

        /** Runs op {@code i} and says what it gave (R_…), with the figures in resA/resB. */
        byte exec(int i) {
            byte op = trace.op(i);
            int id = trace.id(i);
            switch (op) {
                case Trace.MALLOC -> {
                    long r = m.malloc(trace.arg1(i));
                    ptrs[id] = r;
                    return block(r);
                }
                case Trace.FREE -> {
                    m.free(ptrs[id]);
                    if (!freeKeepsPointer) {
                        ptrs[id] = 0;
                    }
                    return R_DONE;
                }
                case Trace.REALLOC -> {
                    long bytes = trace.arg1(i);
                    long r = m.realloc(ptrs[id], bytes);
                    if (r != 0 || bytes == 0 || ptrs[id] == 0) {
                        ptrs[id] = r;
                    }
                    return block(r);
                }
                case Trace.CALLOC -> {
                    long r = m.calloc(1, trace.arg1(i));
                    ptrs[id] = r;
                    return block(r);
                }
                case Trace.MEMALIGN -> {
                    long r = m.memalign(trace.arg1(i), trace.arg2(i));
                    ptrs[id] = r;
                    return block(r);
                }
                case Trace.TRIM -> {
                    resA = m.mallocTrim(trace.arg1(i));
                    return R_VALUE;
                }
                case Trace.MALLOPT -> {
                    resA = m.mallopt((int) trace.arg1(i), (int) trace.arg2(i));
                    return R_VALUE;
                }
                case Trace.SBRK -> {
                    long old = k.sbrk(trace.arg1(i));
                    if (old == -1) {
                        return R_SBRK_FAIL;
                    }
                    resA = old - base;
                    return R_SBRK;
                }
                default -> throw new IllegalStateException("op " + (char) op);
            }
        }

        private byte block(long p) {
            if (p == 0) {
                return R_NULL;
            }
            resB = mem.read64(p - 8);
            if ((resB & 2) != 0) {
                resA = p & 0xfff;
                return R_MMAP;
            }
            resA = p - base;
            return R_HEAP;
        }

        /** The closing lines: the final break and mallinfo. */
        void epilogue(StringBuilder sb) {
            sb.append("brk ");
            heapOff(sb, brkOffset());
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
        }

        /** The current break as an offset from the break at main. */
        long brkOffset() {
            return k.currentBrk() - base;
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
