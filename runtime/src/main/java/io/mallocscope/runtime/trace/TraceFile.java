package io.mallocscope.runtime.trace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trace file read as a stream, for replays of millions of ops that need each op once and in
 * order ({@link OffsetsReplay#run(TraceFile, io.mallocscope.runtime.ProcessOptions, java.io.OutputStream)}):
 * {@link #open} reads the whole file once by the rules of {@link Trace#read(Path)}, so a line that does
 * not parse is a {@link TraceFormatException} before anything runs, and keeps only what a replay must
 * know first (the tunables, the largest ID, how many ops of each kind); a replay then reads the file
 * again, a chunk at a time. The ops are never all in memory.
 */
public final class TraceFile {
    private final Path path;
    private final Trace.Builder scan;

    private TraceFile(Path path, Trace.Builder scan) {
        this.path = path;
        this.scan = scan;
    }

    /** Reads {@code file} once to check it, naming it {@code name} in messages (as typed, or "-"). */
    public static TraceFile open(Path file, String name) throws IOException {
        Trace.Builder scan = new Trace.Builder(name, (letters, ids, arg1, arg2, n) -> {
        });
        try (InputStream in = Files.newInputStream(file)) {
            Trace.parse(in, scan);
        }
        return new TraceFile(file, scan);
    }

    public String name() {
        return scan.name();
    }

    /** The tunables from a {@code # tunables:} line, or null when the trace has none. */
    public String tunables() {
        return scan.tunables();
    }

    /** How many ops the trace has. */
    public int size() {
        return scan.size();
    }

    /** How many of the ops are {@code op}. */
    public int count(TraceOp op) {
        return scan.count(op);
    }

    /** The largest ID used (-1 if none). */
    public int maxId() {
        return scan.maxId();
    }

    /** Reads the file again and hands its ops to {@code batches}, in order. */
    void forEach(Trace.OpBatches batches) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            Trace.parse(in, new Trace.Builder(scan.name(), batches));
        }
    }
}
