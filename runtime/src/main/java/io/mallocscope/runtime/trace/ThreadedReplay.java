package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.AddressSpace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a trace with thread lines, exactly as the reference harness ({@code replay.c -DTHREADS})
 * does on real glibc:
 * <pre>
 *   T K   the current thread becomes K (0 = main, 1..255); a K that does not exist is first created
 *         by main (pthread_create, 8 MiB stack attribute), then runs
 *   X K   thread K returns from its start function (glibc's exit path runs) and main joins it; the
 *         current thread stays, or becomes main if it was K
 * </pre>
 * Threads take turns by a baton of semaphores, one per thread, in the same order as the harness:
 * main creates and joins every thread, other threads ask it to through the baton. Every op's line is
 * prefixed with the executing thread ({@code K: a ID WHERE SIZE}); WHERE is {@code H+0x..} (from the
 * initial break rounded up to 16), {@code M+0x..}, {@code NULL}, or {@code A<n>+0x..} /
 * {@code A<n>.<h>+0x..} for a chunk of the n-th non-main arena to appear, in the h-th heap of its
 * chain, as an offset from that heap's start. After the summary lines, {@code arenas N}.
 * A trace's {@code # GLIBC_TUNABLES=} (or {@code # tunables:}) line applies those tunables.
 */
public final class ThreadedReplay {
    private static final long HEAP_MAX_SIZE = 64L << 20;
    private static final long STACK_SIZE = 8L << 20;
    private static final int MAX_THREADS = 256;
    private static final String TUNABLES_LINE = "# GLIBC_TUNABLES=";
    private static final int REQ_NONE = 0;
    private static final int REQ_CREATE = 1;
    private static final int REQ_JOIN = 2;

    /** One step of the replay: an op of the parsed trace, or a thread line. */
    private record Item(int op, char thread, int k, int line) {
    }

    private final Trace trace;
    private final List<Item> items;
    private final CProcess process;
    private final AddressSpace mem;
    private final StringBuilder out = new StringBuilder();
    private final Appendable sink;
    private LibC c;
    private TraceRunner runner;
    private long base;
    private int next;
    private final long[] pthreads = new long[MAX_THREADS];
    private final boolean[] alive = new boolean[MAX_THREADS];
    private final boolean[] exiting = new boolean[MAX_THREADS];
    private long sems;
    private long attr;
    private long threadOut;
    private int req;
    private int reqThread;
    private int reqResume;
    private final List<Long> arenas = new ArrayList<>();

    /** Thrown by the thread that read the last line, to end the whole run (the harness _exits there). */
    private static final class Finished extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Finished() {
            super("finished", null, false, false);
        }
    }

    private ThreadedReplay(Trace trace, List<Item> items, CProcess process, Appendable sink) {
        this.trace = trace;
        this.items = items;
        this.process = process;
        this.mem = process.memory();
        this.sink = sink;
    }

    /** Whether {@code text} has a {@code T} line (then it needs this replay, not {@link OffsetsReplay}). */
    public static boolean isThreaded(String text) {
        for (String line : text.split("\n", -1)) {
            String s = line.strip();
            if (s.length() > 1 && s.charAt(0) == 'T' && Character.isWhitespace(s.charAt(1)) || s.equals("T")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replays the threaded trace {@code text} (named {@code name} in error messages) in a fresh process
     * made from {@code options} (the trace's own tunables replace the options'), printing to {@code out}.
     *
     * @throws TraceFormatException for a malformed line (nothing has run then)
     */
    public static void run(String name, String text, ProcessOptions options, Appendable out) {
        String[] lines = text.split("\n", -1);
        StringBuilder ops = new StringBuilder(text.length());
        List<Item> items = new ArrayList<>();
        String tunables = null;
        int opIndex = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String s = line.strip();
            if (s.startsWith(TUNABLES_LINE) && tunables == null) {
                tunables = s.substring(TUNABLES_LINE.length()).replaceAll("\\s+", "");
            }
            String[] tok = s.isEmpty() ? new String[0] : s.split("\\s+");
            if (tok.length > 0 && (tok[0].equals("T") || tok[0].equals("X"))) {
                if (tok.length != 2) {
                    throw new TraceFormatException(name, i + 1, (tok.length < 2 ? "too few" : "too many")
                            + " arguments for op '" + tok[0] + "'");
                }
                int lowest = tok[0].equals("T") ? 0 : 1;
                int k;
                try {
                    k = Integer.parseInt(tok[1]);
                } catch (NumberFormatException e) {
                    k = -1;
                }
                if (k < lowest || k >= MAX_THREADS || !tok[1].matches("[0-9]+")) {
                    throw new TraceFormatException(name, i + 1, "bad thread number (" + lowest + "..255) '" + tok[1] + "'");
                }
                items.add(new Item(-1, tok[0].charAt(0), k, i + 1));
                ops.append("# ").append(line).append('\n'); // keeps the line numbers of the rest
                continue;
            }
            ops.append(line);
            if (i < lines.length - 1) {
                ops.append('\n');
            }
            if (!s.isEmpty() && s.charAt(0) != '#' && !(tok.length == 1 && tok[0].matches("[-+]?[0-9]+"))) {
                items.add(new Item(opIndex++, ' ', 0, i + 1));
            }
        }
        Trace trace = Trace.parse(name, ops.toString());
        if (trace.size() != opIndex) {
            throw new IllegalStateException("threaded replay: " + opIndex + " op lines but the trace has " + trace.size());
        }
        if (tunables == null) {
            tunables = trace.tunables();
        }
        ProcessOptions o = tunables != null ? options.withTunables(tunables) : options;
        CProcess p = CProcess.create(o);
        new ThreadedReplay(trace, items, p, out).replay();
    }

    private void replay() {
        RuntimeException[] failure = new RuntimeException[1];
        ExitStatus status = process.run((libc, argv) -> {
            try {
                start(libc);
                if (runOps(0)) {
                    finish();
                }
            } catch (Finished f) {
                // another thread read the last line and printed the summary
            } catch (RuntimeException e) {
                failure[0] = e;
            }
            return 0;
        });
        flush();
        if (failure[0] != null) {
            throw failure[0];
        }
        if (status.code() != 0) {
            throw new IllegalStateException("threaded replay ended with " + status);
        }
    }

    private void start(LibC libc) {
        this.c = libc;
        this.runner = TraceRunner.onMalloc(trace, process);
        long brk = process.kernel().currentBrk();
        this.base = (brk + 15) & ~15L; // 2.31's loader leaves it unaligned under GLIBC_TUNABLES
        sems = c.local(32L * MAX_THREADS);
        for (int i = 0; i < MAX_THREADS; i++) {
            c.sem_init(sems + 32L * i, 0, 0);
        }
        attr = c.local(0x38);
        c.pthread_attr_init(attr);
        c.pthread_attr_setstacksize(attr, STACK_SIZE);
        threadOut = c.local(8);
    }

    // ---------------------------------------------------------------- the baton (as replay.c)

    private void passBaton(int to) {
        c.sem_post(sems + 32L * to);
    }

    private void waitTurn(int self) {
        for (;;) {
            c.sem_wait(sems + 32L * self);
            if (self != 0 || req == REQ_NONE) {
                return;
            }
            int what = req;
            int k = reqThread;
            int resume = reqResume;
            req = REQ_NONE;
            if (what == REQ_CREATE) {
                createThread(k);
            } else {
                joinThread(k);
            }
            if (resume == 0) {
                return;
            }
            passBaton(resume);
        }
    }

    private void createThread(int k) {
        int e = c.pthread_create(threadOut, attr, (tc, arg) -> threadMain((int) arg), k);
        if (e != 0) {
            throw new IllegalStateException("pthread_create failed: " + e);
        }
        pthreads[k] = mem.read64(threadOut);
        alive[k] = true;
        exiting[k] = false;
    }

    private void joinThread(int k) {
        if (c.pthread_join(pthreads[k], 0) != 0) {
            throw new IllegalStateException("pthread_join failed");
        }
    }

    private long threadMain(int self) {
        waitTurn(self);
        if (runOps(self)) {
            finish();
            throw new Finished();
        }
        return 0;
    }

    private void switchTo(int self, int k) {
        if (k == self) {
            return;
        }
        if (k != 0 && !alive[k]) {
            if (self == 0) {
                createThread(k);
            } else {
                req = REQ_CREATE;
                reqThread = k;
                reqResume = k;
                passBaton(0);
                waitTurn(self);
                return;
            }
        }
        passBaton(k);
        waitTurn(self);
    }

    /** X k in thread self; true when self is k and must return from its start function. */
    private boolean exitThread(int self, int k, int line) {
        if (!alive[k]) {
            throw new TraceFormatException(trace.name(), line, "X of a thread that is not running");
        }
        alive[k] = false;
        exiting[k] = true;
        if (k == self) {
            req = REQ_JOIN;
            reqThread = k;
            reqResume = 0;
            passBaton(0);
            return true;
        }
        passBaton(k);
        if (self == 0) {
            joinThread(k);
        } else {
            req = REQ_JOIN;
            reqThread = k;
            reqResume = self;
            passBaton(0);
            waitTurn(self);
        }
        return false;
    }

    /** Runs items while self holds the baton: true at the end of the trace, false when self must exit. */
    private boolean runOps(int self) {
        if (exiting[self]) {
            return false;
        }
        while (next < items.size()) {
            Item it = items.get(next++);
            if (it.thread() == 'T') {
                switchTo(self, it.k());
                if (exiting[self]) {
                    return false;
                }
            } else if (it.thread() == 'X') {
                if (exitThread(self, it.k(), it.line()) || exiting[self]) {
                    return false;
                }
            } else {
                runOp(self, it.op());
            }
        }
        return true;
    }

    private void runOp(int self, int i) {
        long r = runner.call(i);
        TraceOp op = trace.op(i);
        switch (op.returns()) {
            case BLOCK -> {
                out.append(self).append(": ").append(op.letter()).append(' ').append(trace.id(i)).append(' ');
                place(r);
                out.append('\n');
            }
            case INT -> out.append(self).append(": ").append(op.letter()).append(' ').append(r).append('\n');
            case BREAK -> {
                out.append(self).append(": ").append(op.letter()).append(' ');
                if (r == -1) {
                    out.append("FAIL");
                } else {
                    OffsetsReplay.heapOff(out, r - base);
                }
                out.append('\n');
            }
            case NOTHING -> {
            }
        }
        if (out.length() > 8192) {
            flush();
        }
    }

    private void place(long p) {
        if (p == 0) {
            out.append("NULL");
            return;
        }
        long size = mem.read64(p - 8);
        if ((size & 2) != 0) {
            out.append("M+0x").append(Long.toHexString(p & 0xfff));
        } else if ((size & 4) != 0) {
            long heap = p & ~(HEAP_MAX_SIZE - 1);
            long ar = mem.read64(heap);
            int n = arenas.indexOf(ar);
            if (n < 0) {
                arenas.add(ar);
                n = arenas.size() - 1;
            }
            int h = 1;
            for (long hi = mem.read64(heap + 8); hi != 0; hi = mem.read64(hi + 8)) {
                h++;
            }
            out.append('A').append(n + 1);
            if (h > 1) {
                out.append('.').append(h);
            }
            out.append("+0x").append(Long.toHexString(p - heap));
        } else {
            OffsetsReplay.heapOff(out, p - base);
        }
        out.append(" 0x").append(Long.toHexString(size));
    }

    private void finish() {
        OffsetsReplay.epilogue(out, process, base);
        out.append("arenas ").append(arenas.size()).append('\n');
    }

    private void flush() {
        try {
            sink.append(out);
            out.setLength(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
