package io.mallocscope.runtime.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A trace file read as a stream, for replays of millions of ops that need each op once and in
 * order ({@link OffsetsReplay#run(TraceFile, java.util.function.Function, java.io.OutputStream)}):
 * the whole file is read once by the rules of {@link Trace#read(Path)} to check it, so that a line
 * that does not parse is a {@link TraceFormatException} before anything is printed, keeping only what
 * a replay must know (the tunables, the largest ID, how many ops of each kind); a replay then reads
 * the file again, a chunk at a time. The ops are never all in memory.
 *
 * <p>{@link #open} checks before it returns; {@link #checking} checks on a thread of its own, so that
 * a replay can start at once and hold its output until the check is through.
 */
public final class TraceFile {
    private final Path path;
    private final Trace.Builder scan;
    private final CountDownLatch checked = new CountDownLatch(1);
    /** What stopped the check (a TraceFormatException, an IOException, …), once it is over; null if none. */
    private volatile Throwable failure;

    private TraceFile(Path path, String name) {
        this.path = path;
        this.scan = new Trace.Builder(name, (letters, ids, arg1, arg2, n) -> {
        });
    }

    /** Reads {@code file} once to check it, naming it {@code name} in messages (as typed, or "-"). */
    public static TraceFile open(Path file, String name) throws IOException {
        TraceFile t = new TraceFile(file, name);
        t.check();
        t.rethrow();
        return t;
    }

    /**
     * Starts reading {@code file} to check it on a thread of its own and returns at once: what the
     * check finds ({@link #tunables()}, {@link #size()}, …, or its error) is there when it is over
     * ({@link #isChecked()}); those methods wait for it and throw what stopped it.
     */
    public static TraceFile checking(Path file, String name) {
        TraceFile t = unchecked(file, name);
        t.startCheck();
        return t;
    }

    /** A trace file whose check has not started yet ({@link #startCheck()}; for tests that time it). */
    static TraceFile unchecked(Path file, String name) {
        return new TraceFile(file, name);
    }

    /** Starts the check on a thread of its own. */
    void startCheck() {
        Thread th = new Thread(this::check, "mallocscope trace check");
        th.setDaemon(true);
        th.start();
    }

    private void check() {
        try (InputStream in = Files.newInputStream(path)) {
            Trace.parse(in, scan);
        } catch (Throwable e) {
            failure = e;
        } finally {
            checked.countDown();
        }
    }

    /** Whether the check is over (passed or failed). */
    public boolean isChecked() {
        return checked.getCount() == 0;
    }

    /**
     * Waits for the check and throws what stopped it: its {@link TraceFormatException}, the
     * {@link IOException} of reading the file, or any other exception or error as it was.
     */
    public void awaitChecked() throws IOException {
        try {
            checked.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + scan.name() + " was being checked");
        }
        rethrow();
    }

    private void rethrow() throws IOException {
        Throwable f = failure;
        if (f instanceof IOException e) {
            throw e;
        } else if (f instanceof RuntimeException e) {
            throw e;
        } else if (f instanceof Error e) {
            throw e;
        } else if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    /** The {@link IOException} that stopped the check (the file could not be read), if it is over and one did. */
    public IOException readError() {
        return isChecked() && failure instanceof IOException e ? e : null;
    }

    /** {@link #awaitChecked()} for the accessors: a file that could not be read is an {@link UncheckedIOException}. */
    private Trace.Builder summary() {
        try {
            awaitChecked();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return scan;
    }

    public String name() {
        return scan.name();
    }

    Path path() {
        return path;
    }

    /** The tunables from a {@code # tunables:} line, or null when the trace has none (the last line wins). */
    public String tunables() {
        return summary().tunables();
    }

    /** How many ops the trace has. */
    public int size() {
        return summary().size();
    }

    /** How many of the ops are {@code op}. */
    public int count(TraceOp op) {
        return summary().count(op);
    }

    /** The largest ID used (-1 if none). */
    public int maxId() {
        return summary().maxId();
    }

    /** How many batches of ops but the first the file has (the check's count; it must be over). */
    int batchStarts() {
        return summary().batchStarts();
    }

    /** Where batch {@code k} (1..{@link #batchStarts()}) of the ops starts in the file (the check's; it must be over). */
    long batchStart(int k) {
        return summary().batchStart(k);
    }

    /**
     * Reads the file again from batch {@code k} (1..{@link #batchStarts()}) on and hands its ops to
     * {@code batches}, in order, in batches as the whole file's reader makes them. Only after a check
     * that passed: the lines from there are read as the ops they are, with no header before them,
     * numbered as the file's lines (a file changed since its check fails at the line it is on).
     */
    void forEachFrom(int k, Trace.OpBatches batches) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {
            ch.position(batchStart(k));
            Trace.Builder rest = new Trace.Builder(scan.name(), batches).from(summary(), k);
            Trace.parse(java.nio.channels.Channels.newInputStream(ch), rest);
        }
    }

    /** Reads the file again and hands its ops to {@code batches}, in order. */
    void forEach(Trace.OpBatches batches) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            Trace.parse(in, new Trace.Builder(scan.name(), batches));
        }
    }
}
