package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.trace.ThreadedReplay;
import io.mallocscope.runtime.trace.ThreadedTrace;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceFormatException;
import io.mallocscope.runtime.trace.TraceRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

import static io.mallocscope.runtime.LibC.STDERR;

/**
 * A tool, not a lesson (it is in {@link Samples#TOOLS}, after the samples): runs a malloclab trace
 * ({@code .rep}: {@code a ID BYTES}, {@code f ID}, {@code r ID BYTES}, {@code c ID BYTES}, {@code t PAD},
 * {@code m ID ALIGN BYTES}, {@code o PARAM VALUE}, {@code s INCR}) through LibC with the runtime's
 * {@link TraceRunner}, one C call per line, so that any trace can be recorded and looked at step by step:
 * step N of the recorded timeline is line N of the trace, and the addresses are the ones glibc returns
 * for the same trace. Nothing else touches the heap: the summary goes to stderr, which is unbuffered and
 * allocates nothing (printf to stdout would malloc stdout's buffer first).
 *
 * <p>A trace with thread lines ({@code T K}, {@code X K}) runs as the threaded harness runs it
 * ({@link ThreadedReplay#throughLibC}): each op a call of its own thread, the threads taking turns.
 *
 * <p>Run: {@code java -javaagent:mallocscope-agent.jar=out=t.timeline -jar mallocscope-samples.jar replay t.rep},
 * or {@code mallocscope run replay t.rep}.
 */
@Sample(name = "replay", description = "replays a malloclab trace (argv[1]) through LibC, one call per line")
public final class Replay implements CProgram {
    /**
     * Traces of up to this many operations name each recorded call by its trace line; longer ones (the
     * benchmarks' millions) would make the recorder keep and write one site per line, doubling its cost.
     */
    static final int SITE_LINES_UP_TO = 100_000;

    @Override
    public int main(LibC c, String[] argv) {
        if (argv.length != 2) {
            c.fprintf(STDERR, "usage: replay TRACE  (a malloclab trace: a ID BYTES / f ID / r ID BYTES / c ID BYTES / t PAD)\n");
            return 2;
        }
        Trace trace;
        int[] lines;
        try {
            Path file = Path.of(argv[1]);
            byte[] text = Files.readAllBytes(file);
            try {
                trace = Trace.parseBytes(file.toString(), text);
            } catch (TraceFormatException e) {
                // the fast parser stops at a thread line: such a trace runs with its threads
                String asText = new String(text, StandardCharsets.ISO_8859_1);
                if (String.valueOf(e.getMessage()).contains(": " + Trace.THREAD_LINE + " (")
                        && ThreadedTrace.isThreaded(asText)) {
                    return threaded(c, argv[1], ThreadedTrace.parse(file.toString(), asText));
                }
                throw e;
            }
            lines = trace.size() <= SITE_LINES_UP_TO ? Trace.opLines(text) : null;
        } catch (NoSuchFileException e) {
            c.fprintf(STDERR, "replay: %s: no such file\n", argv[1]);
            return 1;
        } catch (IOException e) {
            c.fprintf(STDERR, "replay: %s: %s\n", argv[1], String.valueOf(e.getMessage()));
            return 1;
        } catch (TraceFormatException e) {
            c.fprintf(STDERR, "replay: %s\n", e.getMessage());
            return 1;
        }
        String wanted = trace.tunables();
        if (wanted != null && !wanted.equals(c.process().options().tunables())) {
            c.fprintf(STDERR, "replay: note: the trace asks for GLIBC_TUNABLES=%s; this process runs with '%s'\n",
                    wanted, Objects.requireNonNullElse(c.process().options().tunables(), ""));
        }
        // a recording names each call by its trace line (t.rep:12) where that stays cheap: every line is a
        // site of its own, which the recorder keeps and defines once, so a long trace's calls carry none
        TraceRunner runner = TraceRunner.throughLibC(trace, c);
        if (trace.size() <= SITE_LINES_UP_TO) {
            runner.namingSites(String.valueOf(Path.of(argv[1]).getFileName()), lines);
        }
        for (int i = 0, n = trace.size(); i < n; i++) {
            runner.call(i);
        }
        // the break is read from the kernel directly: an sbrk(0) here would be one more recorded call
        c.fprintf(STDERR, "replay: %d operations from %s; program break at %p\n", (long) trace.size(), argv[1],
                c.process().kernel().currentBrk());
        return 0;
    }

    /**
     * A trace with thread lines ({@code T K}, {@code X K}): run as the threaded harness runs it, each op a
     * call of its own thread (threads taking turns by a baton, main creating and joining them), each call
     * named by its trace line.
     */
    private static int threaded(LibC c, String name, ThreadedTrace t) {
        String wanted = t.tunables();
        if (wanted != null && !wanted.equals(c.process().options().tunables())) {
            c.fprintf(STDERR, "replay: note: the trace asks for GLIBC_TUNABLES=%s; this process runs with '%s'\n",
                    wanted, Objects.requireNonNullElse(c.process().options().tunables(), ""));
        }
        ThreadedReplay.throughLibC(t, c, String.valueOf(Path.of(name).getFileName()));
        int threads = 0;
        for (int i = 0; i < t.size(); i++) {
            if (t.kind(i) == ThreadedTrace.Kind.SWITCH) {
                threads = Math.max(threads, t.thread(i));
            }
        }
        c.fprintf(STDERR, "replay: %d lines (%d operations, threads up to t%d) from %s; program break at %p\n",
                (long) t.size(), (long) t.ops().size(), (long) threads, name, c.process().kernel().currentBrk());
        return 0;
    }
}
