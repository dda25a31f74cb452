package io.mallocscope.cli.testing;

import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.malloc.Transitions;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * how2heap's first_fit recorded in-process: a real process makes the calls, the timeline package's own
 * writer records them with their results, and the transitions glibc 2.36 makes inside them are written
 * as the agent writes them (they are what {@code mallocscope run first-fit} records; RunCommandIT
 * checks the agent's own recording).
 */
public final class RecordedFirstFit {
    public static final long HEAP = 0x555555559000L;
    public static final long A = HEAP + 0x290;
    public static final long B = HEAP + 0x7b0;
    public static final long TOP = HEAP + 0xa10;

    private RecordedFirstFit() {
    }

    /** Writes the timeline to {@code file} and opens it as the CLI does. */
    public static StateSource record(Path file) throws IOException {
        CProcess p = CProcess.create(ProcessOptions.defaults().withProgramName("first-fit")
                .withStdout(OutputStream.nullOutputStream()).withStderr(OutputStream.nullOutputStream()));
        LibC c = p.libc();
        TimelineHeader h = TimelineHeader.of(Map.of(TimelineHeader.GLIBC, "2.36", TimelineHeader.PROGRAM, "first-fit",
                TimelineHeader.HEAP_START, "0x" + Long.toHexString(HEAP)));
        try (TimelineWriter w = TimelineWriter.open(file, h, 60_000, msg -> {
            throw new AssertionError(msg);
        })) {
            w.defineSite(1, "FirstFit.java:33");
            w.defineSite(2, "FirstFit.java:34");
            w.defineSite(3, "FirstFit.java:44");
            w.defineSite(4, "FirstFit.java:49");

            w.call(Functions.MALLOC, 1, 0x512, 0, 0, 0, 0, 0);
            long a = c.malloc(0x512);
            w.syscall(Functions.SBRK, 0x21000, 0, 0, 0, 0, 0, HEAP);
            w.syscall(Functions.SBRK, 0, 0, 0, 0, 0, 0, HEAP + 0x21000);
            w.topExtend(0, 0, HEAP, 0x21000);
            w.split(HEAP, 0x290, A, 0x20d70);
            w.split(A, 0x520, B, 0x20850);
            w.ret(Functions.MALLOC, a);

            w.call(Functions.MALLOC, 2, 0x256, 0, 0, 0, 0, 0);
            long b = c.malloc(0x256);
            w.split(B, 0x260, TOP, 0x205f0);
            w.ret(Functions.MALLOC, b);

            c.strcpy(a, "this is A!");
            byte[] text = "this is A!\0".getBytes();
            w.write(a, text, 0, text.length);

            w.call(Functions.FREE, 3, a, 0, 0, 0, 0, 0);
            c.free(a);
            w.bin(true, BinKind.UNSORTED, 1, A, 0x520, Transitions.FREE);
            w.ret(Functions.FREE, 0);

            w.call(Functions.MALLOC, 4, 506, 0, 0, 0, 0, 0);
            long cc = c.malloc(506);
            w.bin(false, BinKind.UNSORTED, 1, A, 0x520, Transitions.SORT);
            w.bin(true, BinKind.LARGEBIN, 68, A, 0x520, Transitions.SORT);
            w.bin(false, BinKind.LARGEBIN, 68, A, 0x520, Transitions.BINMAP);
            w.split(A, 0x210, A + 0x210, 0x310);
            w.bin(true, BinKind.UNSORTED, 1, A + 0x210, 0x310, Transitions.SPLIT);
            w.ret(Functions.MALLOC, cc);
        }
        return Sources.open(file, new Sources.ReplaySettings("2.36", ""));
    }
}
