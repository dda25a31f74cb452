package io.mallocscope.cli.testing;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * A small program recorded in-process, the way {@link RecordedFirstFit} records first_fit: a real process
 * (glibc 2.36) makes the calls, and the timeline package's own writer records each call with its result
 * and each store the program makes, which is all a {@code Reconstructor} replays to rebuild a step. No
 * transitions are written: the views that rebuild states (heap, bins, try-free, find-fake-fast) do not
 * read them.
 */
public final class RecordedProgram implements AutoCloseable {
    public static final long HEAP = 0x555555559000L;

    private final CProcess process;
    private final LibC c;
    private final TimelineWriter w;

    private RecordedProgram(Path file, String program) throws IOException {
        process = CProcess.create(ProcessOptions.defaults().withProgramName(program)
                .withStdout(OutputStream.nullOutputStream()).withStderr(OutputStream.nullOutputStream()));
        c = process.libc();
        TimelineHeader h = TimelineHeader.of(Map.of(TimelineHeader.GLIBC, "2.36", TimelineHeader.PROGRAM, program,
                TimelineHeader.HEAP_START, "0x" + Long.toHexString(HEAP)));
        w = TimelineWriter.open(file, h, 60_000, msg -> {
            throw new AssertionError(msg);
        });
    }

    /** Starts recording {@code program}'s calls into {@code file}; close it to finish the file. */
    public static RecordedProgram open(Path file, String program) throws IOException {
        return new RecordedProgram(file, program);
    }

    public long malloc(long n) {
        w.call(Functions.MALLOC, 0, n, 0, 0, 0, 0, 0);
        long m = c.malloc(n);
        w.ret(Functions.MALLOC, m);
        return m;
    }

    public void free(long m) {
        w.call(Functions.FREE, 0, m, 0, 0, 0, 0, 0);
        c.free(m);
        w.ret(Functions.FREE, 0);
    }

    /** A zero-initialised global of the program's ({@code static char name[bytes];} in .bss). */
    public long global(String name, long bytes) {
        return c.global(name, bytes);
    }

    /** A buffer on the program's stack. */
    public long local(long bytes) {
        return c.local(bytes);
    }

    /** The program stores the 8-byte {@code value} at {@code address} (between calls, as a program does). */
    public void store(long address, long value) {
        process.memory().write64(address, value);
        w.writeValue(address, value, 8);
    }

    /** The program stores one byte. */
    public void storeByte(long address, int value) {
        process.memory().write8(address, value);
        w.writeValue(address, value & 0xff, 1);
    }

    @Override
    public void close() {
        w.close();
    }
}
