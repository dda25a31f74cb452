package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.vm.AddressSpace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Replays a trace with thread lines ({@link ThreadedTrace}), exactly as the reference harness
 * ({@code replay.c -DTHREADS}) does on real glibc.
 * Threads take turns by a baton of semaphores, one per thread, in the same order as the harness:
 * main creates and joins every thread, other threads ask it to through the baton.
 *
 * <p>{@link #run} prints every op's line prefixed with the executing thread ({@code K: a ID WHERE SIZE});
 * WHERE is {@code H+0x..} (from the initial break rounded up to 16), {@code M+0x..}, {@code NULL}, or
 * {@code A<n>+0x..} / {@code A<n>.<h>+0x..} for a chunk of the n-th non-main arena to appear, in the
 * h-th heap of its chain, as an offset from that heap's start. After the summary lines, {@code arenas N}.
 *
 * <p>{@link #stepping} runs the same replay a line at a time for the views: the process stops before
 * each line ({@link #next()}), in whichever thread is to run it, and is read while it waits there.
 * Its simulated threads run on a Java thread of their own; {@link #close()} ends them.
 */
public final class ThreadedReplay implements AutoCloseable {
    private static final long HEAP_MAX_SIZE = 64L << 20;
    private static final long STACK_SIZE = 8L << 20;
    private static final int MAX_THREADS = ThreadedTrace.MAX_THREADS;
    private static final int REQ_NONE = 0;
    private static final int REQ_CREATE = 1;
    private static final int REQ_JOIN = 2;

    /**
     * What one line of the trace did, for the views: the thread that made the call and the call. An op's
     * call is its {@link Step}; {@code T K} is main's {@code pthread_create(thread, stacksize, guardsize)}
     * when K is new, else the running thread's {@code sched_switch_to(K's pthread_t)}; {@code X K} is
     * K's {@code pthread_exit(0)} (main then joins it, in the same line).
     *
     * @param line   the line's index in the {@link ThreadedTrace}
     * @param thread the thread that made the call (0 = main)
     * @param step   the op as it ran, or null for a thread line
     * @param result pthread_create's result (0) for a created thread, else 0
     * @param signal the signal the line raised (the process ended there: no line runs after it), or null;
     *               an op's is its step's, a thread line's comes from the thread calls it made
     *               (pthread_create's DTV calloc, or glibc's tcache_thread_shutdown as a thread ends)
     */
    public record Line(int line, int thread, Step step, String function, long[] args, long result,
            SimulatedSignal signal) {
    }

    private final ThreadedTrace threaded;
    private final Trace trace;
    private final CProcess process;
    private final AddressSpace mem;
    private final StringBuilder out = new StringBuilder();
    private final Appendable sink;
    private final boolean freeKeepsPointer;
    /** Set for a replay run a line at a time. */
    private final Stepper stepper;
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
    private long mainPd;
    private int req;
    private int reqThread;
    private int reqResume;
    private final List<Long> arenas = new ArrayList<>();
    /** Stepping: what the last line did. */
    private Line last;
    /** After the summary, malloc_stats() (replay.c --malloc-stats). */
    private boolean mallocStats;
    /** Each op a call through LibC ({@link #throughLibC}). */
    private boolean throughLibC;
    /** Names each call by its trace line ({@link #throughLibC}); null: no sites. */
    private String siteFile;
    /** The trace line of the create or join main makes for another thread's request. */
    private int reqLine;

    /** Thrown by the thread that read the last line, to end the whole run (the harness _exits there). */
    private static final class Finished extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Finished() {
            super("finished", null, false, false);
        }
    }

    private ThreadedReplay(ThreadedTrace threaded, CProcess process, Appendable sink, boolean freeKeepsPointer,
                           boolean stepping) {
        this.threaded = threaded;
        this.trace = threaded.ops();
        this.process = process;
        this.mem = process.memory();
        this.sink = sink;
        this.freeKeepsPointer = freeKeepsPointer;
        this.stepper = stepping ? new Stepper() : null;
    }

    /** Whether {@code text} has a {@code T} line (then it needs this replay, not {@link OffsetsReplay}). */
    public static boolean isThreaded(String text) {
        return ThreadedTrace.isThreaded(text);
    }

    /**
     * Replays the threaded trace {@code text} (named {@code name} in error messages) in a fresh process
     * made from {@code options} (the trace's own tunables replace the options'), printing to {@code out}.
     *
     * @throws TraceFormatException for a malformed line (nothing has run then)
     */
    public static void run(String name, String text, ProcessOptions options, Appendable out) {
        run(ThreadedTrace.parse(name, text), options, out);
    }

    /** As {@link #run(String, String, ProcessOptions, Appendable)}, for a trace already parsed. */
    public static void run(ThreadedTrace t, ProcessOptions options, Appendable out) {
        new ThreadedReplay(t, CProcess.create(options(t, options)), out, false, false).replay();
    }

    /**
     * As {@link #run(ThreadedTrace, ProcessOptions, Appendable)}, then {@code malloc_stats()} in the thread
     * that read the last line, as {@code replay.c --malloc-stats} does: its text (every arena) goes to the
     * process's stderr ({@code options}').
     */
    public static void runWithMallocStats(ThreadedTrace t, ProcessOptions options, Appendable out) {
        ThreadedReplay r = new ThreadedReplay(t, CProcess.create(options(t, options)), out, false, false);
        r.mallocStats = true;
        r.replay();
    }

    /**
     * Runs the threaded trace {@code t} as a program does, in {@code c}'s process from its main thread
     * (the samples' {@code replay}, under the recording agent): every op is one call through {@code c}
     * made by its thread, the thread lines are the harness's {@code pthread_create}, baton hand-overs
     * ({@code sem_post}/{@code sem_wait}, which a recording does not list) and {@code pthread_join}, so a
     * recording holds each op as a call of its thread, at the addresses {@link #run} prints. With
     * {@code file}, each call is named by its trace line ({@code LibC#site}: {@code t.rep:12}); a thread
     * line's calls by that line. Prints nothing; returns when the last line has run (the threads still
     * waiting for the baton end with the process).
     *
     * @throws SimulatedSignal raised by a line, as the harness's process dies of it
     */
    public static void throughLibC(ThreadedTrace t, LibC c, String file) {
        ThreadedReplay r = new ThreadedReplay(t, c.process(), null, false, false);
        r.siteFile = file;
        r.throughLibC = true;
        r.start(c);
        try {
            r.runOps(0);
        } catch (Finished f) {
            // another thread read the last line
        }
    }

    /**
     * The replay of {@code t} in a fresh process made from {@code options} (the trace's own tunables
     * replace the options'), to be run a line at a time by {@link #next()}; nothing has run yet. With
     * {@code freeKeepsPointer}, {@code f ID} leaves the ID naming the freed block (as
     * {@link TraceRunner#freeKeepsPointer()}). Close it when done.
     */
    public static ThreadedReplay stepping(ThreadedTrace t, ProcessOptions options, boolean freeKeepsPointer) {
        return new ThreadedReplay(t, CProcess.create(options(t, options)), null, freeKeepsPointer, true);
    }

    private static ProcessOptions options(ThreadedTrace t, ProcessOptions options) {
        return t.tunables() != null ? options.withTunables(t.tunables()) : options;
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

    // ---------------------------------------------------------------- a line at a time

    /** Unwinds the waiting replay's threads when it is closed. */
    private static final class Abandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandoned() {
            super("closed", null, false, false);
        }
    }

    /**
     * The hand-over between the caller and the replay, which runs {@link #replay()} on a Java thread of
     * its own: whichever simulated thread is to run line {@code target} waits there ({@link #pause()})
     * and the caller reads the process. Only one side runs at a time; each semaphore hand-over orders
     * their memory accesses.
     */
    private final class Stepper {
        final Semaphore toReplay = new Semaphore(0);
        final Semaphore toCaller = new Semaphore(0);
        int target;
        boolean closing;
        /** The replay's run has ended (the last line or a failure). */
        boolean over;
        /** A line raised a signal: the process ended there, and the replay waits until it is closed. */
        boolean dead;
        RuntimeException failure;
        Thread driver;

        /** In the replay, before line {@link #next}: waits while the caller wants no line past it. */
        void pause() {
            while (dead || next >= target) {
                toCaller.release();
                toReplay.acquireUninterruptibly();
                if (closing) {
                    throw new Abandoned();
                }
            }
        }

        /** In the caller: lets the replay run up to line {@code to} and waits until it is there. */
        void advance(int to) {
            if (over) {
                return;
            }
            target = to;
            if (driver == null) {
                driver = new Thread(() -> {
                    try {
                        replay();
                    } catch (Abandoned a) {
                        // closed
                    } catch (RuntimeException e) {
                        if (!closing) {
                            failure = e;
                        }
                    } finally {
                        over = true;
                        toCaller.release();
                    }
                }, "mallocscope-threaded-replay");
                driver.setDaemon(true);
                driver.start();
            } else {
                toReplay.release();
            }
            toCaller.acquireUninterruptibly();
            if (failure != null) {
                RuntimeException f = failure;
                failure = null;
                throw f;
            }
        }

        void close() {
            if (driver == null || over) {
                return;
            }
            closing = true;
            toReplay.release();
            boolean interrupted = false;
            while (true) {
                try {
                    driver.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The lines of the trace this replay runs. */
    public ThreadedTrace trace() {
        return threaded;
    }

    /** How many lines have run: the replay waits before line {@code done()}. */
    public int done() {
        start();
        return next;
    }

    /**
     * The process, live, waiting before line {@link #done()}: valid to read until the next call on
     * this replay (before the first line, once the harness's own set-up has run).
     */
    public CProcess process() {
        start();
        return process;
    }

    /** Where the offsets of main's heap count from: the initial break rounded up to 16. */
    public long base() {
        start();
        return base;
    }

    /**
     * Runs line {@link #done()} in its thread; the replay then waits before the next line.
     *
     * @throws IllegalStateException after the last line
     * @throws TraceFormatException  (for a thread line the run cannot follow)
     */
    public Line next() {
        start();
        if (next >= threaded.size()) {
            throw new IllegalStateException("the trace has " + threaded.size() + " lines, all run");
        }
        int want = next + 1;
        last = null;
        stepper.advance(want);
        if (stepper.dead && last == null) {
            throw new IllegalStateException("the process ended with a signal at line " + next);
        }
        if (next != want || last == null) {
            throw new IllegalStateException("the threaded replay stopped at line " + next + ", not " + want);
        }
        return last;
    }

    /**
     * The offsets format's WHERE of the block {@code p} and its size word ({@code A1+0xb70 0x25}),
     * numbering the non-main arenas as they first appear here, as {@link #run} does.
     */
    public String where(long p) {
        StringBuilder b = new StringBuilder();
        place(b, p);
        return b.toString();
    }

    /**
     * What {@link #run} prints for {@code line} (an op that returns something: {@code 1: a 1 A1+0xb70 0x25}),
     * read now: call it right after the {@link #next()} that returned the line. "" for other lines.
     */
    public String offsets(Line line) {
        StringBuilder b = new StringBuilder();
        if (line.step() != null && line.step().signal() == null) {
            offsetsLine(b, line.thread(), line.step().index(), line.step().result());
        }
        return b.toString();
    }

    /** What {@link #run} prints after the last line, read now: {@code brk}, {@code mallinfo} and {@code arenas}. */
    public String summary() {
        start();
        StringBuilder b = new StringBuilder();
        finish(b);
        return b.toString();
    }

    /** Ends the replay's threads (the process is thrown away). */
    @Override
    public void close() {
        if (stepper != null) {
            stepper.close();
        }
    }

    /** Stepping: starts the run and waits before the first line. */
    private void start() {
        if (stepper == null) {
            throw new IllegalStateException("not a stepping replay");
        }
        if (stepper.driver == null) {
            stepper.advance(0);
        }
    }

    private void start(LibC libc) {
        this.c = libc;
        TraceRunner r = throughLibC ? TraceRunner.throughLibC(trace, libc) : TraceRunner.onMalloc(trace, process);
        if (throughLibC && siteFile != null) {
            int[] lines = new int[trace.size()];
            for (int i = 0; i < threaded.size(); i++) {
                if (threaded.kind(i) == ThreadedTrace.Kind.OP) {
                    lines[threaded.op(i)] = threaded.line(i);
                }
            }
            r.namingSites(siteFile, lines);
        }
        this.runner = freeKeepsPointer ? r.freeKeepsPointer() : r;
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
        mainPd = c.pthread_self();
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
            site(reqLine); // main makes the call the other thread's line asked for
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

    /** Through LibC with sites: the program is at trace line {@code line} for the calls that follow. */
    private void site(int line) {
        if (siteFile != null) {
            c.site(siteFile + ":" + line);
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
            if (!throughLibC) {
                finish();
            }
            throw new Finished();
        }
        return 0;
    }

    private void switchTo(int self, int k, int line) {
        if (k == self) {
            return;
        }
        reqLine = line;
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
        reqLine = line;
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
        while (true) {
            if (stepper != null) {
                stepper.pause();
            }
            if (next >= threaded.size()) {
                return true;
            }
            int i = next++;
            switch (threaded.kind(i)) {
                case SWITCH -> {
                    int k = threaded.thread(i);
                    if (stepper != null) {
                        last = k != 0 && !alive[k]
                                ? new Line(i, 0, null, "pthread_create", new long[] {threadOut, STACK_SIZE, AddressSpace.PAGE_SIZE}, 0, null)
                                : new Line(i, self, null, "sched_switch_to", new long[] {k == 0 ? mainPd : pthreads[k]}, 0, null);
                    }
                    site(threaded.line(i));
                    try {
                        switchTo(self, k, threaded.line(i));
                    } catch (SimulatedSignal s) {
                        signalled(s);
                    }
                    if (exiting[self]) {
                        return false;
                    }
                }
                case EXIT -> {
                    int k = threaded.thread(i);
                    if (stepper != null) {
                        last = new Line(i, k, null, "pthread_exit", new long[] {0}, 0, null);
                    }
                    boolean returns;
                    site(threaded.line(i));
                    try {
                        returns = exitThread(self, k, threaded.line(i));
                    } catch (SimulatedSignal s) {
                        signalled(s);
                        returns = false;
                    }
                    if (returns || exiting[self]) {
                        return false;
                    }
                }
                case OP -> runOp(self, i, threaded.op(i));
            }
        }
    }

    /**
     * A thread line raised {@code s} (in whichever simulated thread it reached: a thread's failure is
     * rethrown in main). A run prints no more and ends with it, as the C harness's process dies; a
     * stepping replay gives the line with the signal and then waits, the process as the signal left
     * it, until it is closed.
     */
    private void signalled(SimulatedSignal s) {
        if (stepper == null) {
            throw s;
        }
        last = new Line(last.line(), last.thread(), null, last.function(), last.args(), 0, s);
        stepper.dead = true;
        stepper.pause(); // returns only by Abandoned
        throw new IllegalStateException("unreachable");
    }

    private void runOp(int self, int line, int i) {
        if (stepper != null) {
            Step s = runner.step(i);
            last = new Line(line, self, s, s.function(), s.args(), s.result(), s.signal());
            return;
        }
        if (throughLibC) { // a program's run: the recording holds the results
            runner.call(i);
            return;
        }
        offsetsLine(out, self, i, runner.call(i));
        if (out.length() > 8192) {
            flush();
        }
    }

    /** Op {@code i}'s line of the offsets format, if it prints one, for its result {@code r} in thread {@code self}. */
    private void offsetsLine(StringBuilder out, int self, int i, long r) {
        TraceOp op = trace.op(i);
        switch (op.returns()) {
            case BLOCK -> {
                out.append(self).append(": ").append(op.letter()).append(' ').append(trace.id(i)).append(' ');
                place(out, r);
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
    }

    private void place(StringBuilder out, long p) {
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
        finish(out);
        if (mallocStats) {
            flush(); // the summary first, as the harness writes it before malloc_stats
            c.malloc_stats();
        }
    }

    private void finish(StringBuilder out) {
        OffsetsReplay.epilogue(out, process, base);
        out.append("arenas ").append(arenas.size()).append('\n');
    }

    private void flush() {
        if (sink == null) {
            return;
        }
        try {
            sink.append(out);
            out.setLength(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
