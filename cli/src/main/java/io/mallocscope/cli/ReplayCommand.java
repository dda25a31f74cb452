package io.mallocscope.cli;

import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.TimelineTextRenderer;
import io.mallocscope.cli.source.Inputs;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.trace.OffsetsReplay;
import io.mallocscope.runtime.trace.ThreadedReplay;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceFile;
import io.mallocscope.runtime.trace.TraceFormatException;
import io.mallocscope.runtime.trace.TraceOp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mallocscope replay TRACE [--format offsets|text]}: replays a malloclab trace in-process.
 * {@code offsets} prints exactly what the C harness prints with real glibc, so the two can be diffed.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replay a malloclab trace (.rep: 'a ID SIZE', 'f ID', 'r ID SIZE', 'c ID SIZE', …) in-process.",
                "offsets: where each block landed relative to the initial break, exactly as the C harness "
                        + "prints it with real glibc; text: the calls, numbered, each with what it changed.",
                "A trace with thread lines ('T K': thread K runs next, made by main if new; 'X K': K ends "
                        + "and main joins it) runs each op in its thread; offsets then start each line with it "
                        + "('1: a 5 A1+0xb70 0x25', A<n>: the n-th non-main arena) and end with 'arenas N'.",
                "A line that does not parse: FILE:LINE: what was expected, exit status 1. "
                        + "An abort by glibc: its message, exit status 134."})
final class ReplayCommand implements Callable<Integer> {
    enum Format { offsets, text }

    @FunctionalInterface
    interface Writer {
        int write(ReplayCommand cmd, PrintWriter out) throws IOException;
    }

    static final Map<Format, Writer> FORMATS = Map.of(
            Format.offsets, ReplayCommand::offsets,
            Format.text, ReplayCommand::text);

    @Spec
    CommandSpec spec;
    @Mixin
    ColorOption color;

    @Parameters(index = "0", paramLabel = "TRACE", description = "A malloclab trace.")
    Path trace;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "offsets",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--stats",
            description = "Print the malloc lab's numbers instead: operations, peak utilisation (peak live payload / "
                    + "peak heap), and the time the allocator took to replay the trace.")
    boolean stats;

    @Mixin
    GlibcOption glibcOption;
    @Mixin
    TunablesOption tunablesOption;

    private Inputs.Input input;

    @Override
    public Integer call() throws IOException {
        if (stats && spec.commandLine().getParseResult().hasMatchedOption("--format")) {
            throw UserError.usage("--stats prints the malloc lab's numbers; --format applies without it");
        }
        input = Inputs.open(trace);
        PrintWriter out = spec.commandLine().getOut();
        int status = stats ? stats(out) : FORMATS.get(format).write(this, out);
        out.flush();
        return status;
    }

    private int offsets(PrintWriter out) throws IOException {
        // the check of every line runs on a thread of its own while the replay starts: nothing is printed
        // before it is through, and a line that does not parse is its error alone (OffsetsReplay.run)
        TraceFile t = TraceFile.checking(input.path(), input.name());
        PrintWriter err = spec.commandLine().getErr();
        OutputStream errStream = errStream(err);
        String glibc = glibcOption.checked();
        String tunables = tunablesOption.checked();
        Progress progress = Progress.forTrace(t, err);
        try {
            // the trace's own '# tunables:' line is checked like the option: a bad one is one line, status 2
            OffsetsReplay.run(t, own -> Inputs.replayOptions(t.name(), own, glibc, tunables).withStderr(errStream),
                    progress.counting(Stdout.ascii(out)));
        } catch (TraceFormatException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains(": " + Trace.THREAD_LINE + " (")) {
                String text = Files.readString(input.path(), StandardCharsets.UTF_8);
                if (ThreadedReplay.isThreaded(text)) {
                    return threadedOffsets(text, out);
                }
            }
            throw UserError.data(msg);
        } catch (IOException e) {
            if (e == t.readError()) {
                throw Inputs.cannotRead(input.name(), e);
            }
            throw e;
        } catch (SimulatedSignal s) {
            out.flush();
            progress.done();
            if (!(s instanceof Abort)) { // glibc printed an abort's message itself
                err.print(io.mallocscope.runtime.CProcess.signalLines(s, "replay"));
                err.flush();
            }
            return 128 + s.signalNumber();
        }
        progress.done();
        return Exit.OK;
    }

    /** A trace with T lines: each op's line prefixed by its thread, as replay.c -DTHREADS prints it. */
    private int threadedOffsets(String text, PrintWriter out) {
        PrintWriter err = spec.commandLine().getErr();
        String tunables = tunablesOption.checked();
        ProcessOptions o = ProcessOptions.defaults().withGlibc(glibcOption.checked())
                .withTunables(tunables == null ? "" : tunables)
                .withStdout(OutputStream.nullOutputStream()).withStderr(errStream(err));
        try {
            ThreadedReplay.run(input.name(), text, o, out);
        } catch (TraceFormatException e) {
            out.flush();
            throw UserError.data(e.getMessage());
        } catch (SimulatedSignal s) {
            out.flush();
            if (!(s instanceof Abort)) {
                err.print(io.mallocscope.runtime.CProcess.signalLines(s, "replay"));
                err.flush();
            }
            return 128 + s.signalNumber();
        }
        return Exit.OK;
    }

    /** The simulated process's stderr, written through to the command's (glibc's abort messages). */
    private static OutputStream errStream(PrintWriter err) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                err.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                err.write(new String(b, off, len, StandardCharsets.UTF_8));
                err.flush();
            }
        };
    }

    /**
     * The malloc lab's numbers (CS:APP 9.9): the operations, the peak utilisation the replayed heap
     * reached, and the allocator's time for the whole trace (one replay, offsets discarded).
     */
    private int stats(PrintWriter out) throws IOException {
        String glibc = glibcOption.checked(); // a bad option is named before the trace is read, as everywhere
        String tunables = tunablesOption.checked();
        Inputs.Traced traced = Inputs.traced(input);
        Trace t = traced.trace();
        ProcessOptions o = Inputs.replayOptions(t, glibc, tunables)
                .withStderr(OutputStream.nullOutputStream());
        StringBuilder offsets = new StringBuilder();
        java.io.ByteArrayOutputStream mallocStats = new java.io.ByteArrayOutputStream();
        long start = System.nanoTime();
        try {
            if (traced.threaded() != null) {
                // its threads, as replay prints it; then malloc_stats, as replay.c --malloc-stats
                ThreadedReplay.runWithMallocStats(traced.threaded(), o.withStderr(mallocStats), offsets);
            } else {
                OffsetsReplay.run(t, o, new PrintWriter(java.io.Writer.nullWriter()));
            }
        } catch (SimulatedSignal s) {
            throw UserError.data("replay: the trace ends in " + s.getClass().getSimpleName()
                    + " on this glibc; the malloc lab's numbers need a trace that runs to its end");
        }
        long nanos = System.nanoTime() - start;
        StateSource s = Sources.open(input, new Sources.ReplaySettings(glibcOption.checked(), tunablesOption.checked()));
        io.mallocscope.cli.plot.HeapSeries series = io.mallocscope.cli.plot.HeapSeries.of(s);
        PlotCommand.summary(trace.getFileName().toString(), series, out);
        if (traced.threaded() != null) {
            // every arena at the end, as the real library's mallinfo2 and malloc_stats count them
            out.println("at the end (glibc's mallinfo2, summed over every arena, and malloc_stats):");
            offsets.toString().lines().filter(l -> l.startsWith("mallinfo ")).forEach(out::println);
            out.print(mallocStats.toString(StandardCharsets.UTF_8));
        }
        out.println(String.format(java.util.Locale.ROOT, "time               %.3f ms (%.1f Kops/s, one replay of "
                + "the calls by the simulated allocator)", nanos / 1e6, series.steps / (nanos / 1e9) / 1000));
        return Exit.OK;
    }

    private int text(PrintWriter out) {
        StateSource s = Sources.open(input, new Sources.ReplaySettings(glibcOption.checked(), tunablesOption.checked()));
        Style style = color.style();
        new TimelineTextRenderer().render(List.of(), s.ops(), out, style);
        // the status the C harness gets: a call cut short by a signal ends the replay with it
        String last = null;
        for (io.mallocscope.cli.model.Op op : s.ops()) {
            last = op.result();
        }
        if (last != null && last.startsWith("<Segmentation fault")) {
            return 139;
        }
        if (last != null && last.startsWith("<Aborted")) {
            return 134;
        }
        return Exit.OK;
    }

    /**
     * A progress bar on stderr for long traces (200,000 ops or more), only when stderr is a terminal.
     * How many lines to expect is asked of the trace's check at the first line written, which the
     * replay writes only once the check is over.
     */
    static final class Progress {
        private final PrintWriter err;
        private final TraceFile trace;
        private long expected;
        private long lines;
        private int shown = -1;

        private Progress(PrintWriter err, TraceFile trace) {
            this.err = err;
            this.trace = trace;
        }

        static Progress forTrace(TraceFile t, PrintWriter err) {
            return new Progress(Terminal.stderrIsTerminal() ? err : null, t);
        }

        /** {@code out}, counting the lines written through it when the bar is shown. */
        OutputStream counting(OutputStream out) {
            if (err == null) {
                return out;
            }
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    if (expected == 0) {
                        expected = expected(trace);
                    }
                    if (expected < 0) {
                        return;
                    }
                    for (int i = off; i < off + len; i++) {
                        lines += b[i] == '\n' ? 1 : 0;
                    }
                    show();
                }
            };
        }

        /** The lines a trace's replay prints (at least 1), or -1 for a trace too short for a bar. */
        private static long expected(TraceFile t) {
            if (t.size() < 200_000) {
                return -1;
            }
            long printing = 0;
            for (TraceOp op : TraceOp.values()) {
                printing += op.returns() == TraceOp.Returns.NOTHING ? 0 : t.count(op); // the ops that print a line
            }
            return Math.max(1, printing);
        }

        private void show() {
            int pct = (int) Math.min(100, lines * 100 / expected);
            if (pct != shown) {
                shown = pct;
                int bar = pct / 4;
                err.print("\r[" + "#".repeat(bar) + " ".repeat(25 - bar) + "] " + pct + "%");
                err.flush();
            }
        }

        void done() {
            if (err != null && shown >= 0) {
                err.print("\r" + " ".repeat(40) + "\r");
                err.flush();
            }
        }
    }
}
