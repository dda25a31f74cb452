package io.mallocscope.cli;

import io.mallocscope.cli.explain.Narrator;
import io.mallocscope.cli.explain.Telling;
import io.mallocscope.cli.html.HtmlModels;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.model.EventText;
import io.mallocscope.cli.render.ChromeTraceRenderer;
import io.mallocscope.cli.render.JsonlExporter;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.TimelineTextRenderer;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.timeline.Timeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** {@code mallocscope timeline FILE [--from N --to M] [--fn NAME] [--chunk ADDR] [--format …] [--max-steps N] [--out F]}. */
@Command(name = "timeline", mixinStandardHelpOptions = true,
        description = "Show a recorded timeline: every call and, under it, what the allocator did.")
final class TimelineCommand implements Callable<Integer> {
    enum Format { text, jsonl, chrome, html }

    /**
     * What a view is asked to write: the source, the calls {@code first..last} of it, and which of
     * those are selected. The calls are read on demand, so a view streams a timeline of any length.
     */
    record Request(Path file, StateSource source, int first, int last, Predicate<Op> keep, boolean filtered,
                   String glibc, String tunables, int maxSteps, Narrator.Writes writes, Consumer<String> notes) {
        /** Every call up to the last one asked for (the ones before {@code first} name chunks). */
        List<Op> upToLast() {
            List<Op> all = source.ops();
            return all.subList(0, Math.min(last, all.size())); // a trace's calls end at a signal
        }

        /** Whether {@code op} is one of the selected calls. */
        boolean selects(Op op) {
            return op.number() >= first && op.number() <= last && keep.test(op);
        }

        /** The selected calls, in order. */
        Iterable<Op> selected() {
            return () -> {
                List<Op> all = source.ops();
                return all.subList(Math.min(first - 1, all.size()), Math.min(last, all.size())).stream().filter(keep)
                        .iterator();
            };
        }

        /** Whether every call of the source is selected. */
        boolean everything() {
            return !filtered && first == 1 && last == source.steps();
        }
    }

    /** Writes the selected calls in one format. */
    @FunctionalInterface
    interface View {
        void write(Request r, PrintWriter out, Style style) throws IOException;
    }

    static final Map<Format, View> VIEWS = Map.of(
            Format.text, TimelineCommand::text,
            Format.jsonl, TimelineCommand::jsonl,
            Format.chrome, (r, out, style) -> new ChromeTraceRenderer().render(r.selected(), out),
            Format.html, (r, out, style) -> HtmlExport.write(r, out));

    @Spec
    CommandSpec spec;
    @Mixin
    ColorOption color;

    @Parameters(index = "0", paramLabel = "FILE", description = "A recorded timeline (or a .rep trace).")
    Path file;
    @Option(names = "--from", paramLabel = "N", description = "First call to show (default: 1).")
    Integer from;
    @Option(names = "--to", paramLabel = "M", description = "Last call to show (default: the last).")
    Integer to;
    @Option(names = "--fn", paramLabel = "NAME", description = "Only calls of this function (malloc, free, …).")
    String fn;
    @Option(names = "--chunk", paramLabel = "ADDR",
            description = "Only calls that touch the chunk at ADDR (chunk address or user pointer, hex).")
    String chunk;
    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); chrome opens in Perfetto; html: a self-contained page to step through.")
    Format format;
    @Option(names = "--out", paramLabel = "F", description = "Write to F instead of stdout.")
    Path outFile;
    @Option(names = "--max-steps", paramLabel = "N",
            description = "html: how many calls the page holds (default: ${DEFAULT-VALUE}); every step carries the whole heap.",
            defaultValue = "" + HtmlModels.DEFAULT_MAX_OPERATIONS)
    int maxSteps;
    @Option(names = "--writes", paramLabel = "WHICH", defaultValue = "metadata",
            description = "Which of the program's writes to narrate: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: "
                    + "writes into heap metadata and malloc's globals).")
    Narrator.Writes writes;
    @Mixin
    GlibcOption glibc;
    @Mixin
    TunablesOption tunables;

    @Override
    public Integer call() throws IOException {
        checkHtmlOptions();
        if (outFile != null) {
            OpenOnWrite.refuseDirectoryName(spec);
            OpenOnWrite.check(outFile);
            OpenOnWrite.refuseInput(outFile, file);
        }
        Predicate<Op> keep = filter();
        Sources.ReplaySettings settings = SourceOptions.settings(glibc, tunables);
        StateSource s = Sources.open(file, settings);
        SourceOptions.warn(s, file, spec, spec.commandLine().getErr());
        int first = from == null ? 1 : from;
        int last = to == null ? s.steps() : to;
        checkRange(s, "--from", from);
        checkRange(s, "--to", to);
        if (first > last && (from != null || to != null)) {
            throw UserError.usage("--from " + first + " --to " + last + " is reversed: the first call to show comes "
                    + "after the last (" + s.name() + " has " + s.steps() + " calls, 1.." + s.steps() + ")");
        }
        Request request = new Request(file, s, first, last, keep, fn != null || chunk != null, settings.glibc(),
                settings.tunables(), maxSteps, writes, line -> spec.commandLine().getErr().println("mallocscope: " + line));
        if (outFile != null) {
            OpenOnWrite file = new OpenOnWrite(outFile);
            PrintWriter w = new PrintWriter(new OutputStreamWriter(file, StandardCharsets.UTF_8));
            boolean done = false;
            try {
                VIEWS.get(format).write(request, w, Style.PLAIN);
                if (w.checkError()) { // flushes; a PrintWriter keeps the error to itself
                    throw file.error() != null ? file.error() : new IOException("write failed");
                }
                file.finish();
                done = true;
            } catch (IOException e) {
                throw writeFailed(outFile, e);
            } finally {
                if (!done) {
                    file.abandon();
                }
            }
            spec.commandLine().getErr().println("mallocscope: wrote " + outFile);
        } else {
            PrintWriter out = spec.commandLine().getOut();
            VIEWS.get(format).write(request, out,
                    format == Format.text ? color.style() : Style.PLAIN);
            out.flush();
        }
        return Exit.OK;
    }

    /** A call number the user typed must name one of the calls. */
    private static void checkRange(StateSource s, String option, Integer n) {
        if (n != null && (n < 1 || n > s.steps())) {
            throw UserError.usage(option + " " + n + " is out of range: " + s.name() + " has " + s.steps() + " calls"
                    + (s.steps() == 0 ? "" : " (1.." + s.steps() + ")"));
        }
    }

    /**
     * An {@code --out} write that failed: into a pipe its reader closed ({@code --out /dev/stdout | head})
     * it ends quietly with status 141, as a write to standard output does; else {@link #cannotWrite}.
     */
    static RuntimeException writeFailed(Path file, IOException e) {
        Stdout.Failed f = new Stdout.Failed(e);
        return f.brokenPipe() ? f : cannotWrite(file, e);
    }

    /** An {@code --out} file that cannot be written: one line naming it and why, status 2. */
    static UserError cannotWrite(Path file, IOException e) {
        Path dir = file.toAbsolutePath().getParent();
        String why = e instanceof java.nio.file.NoSuchFileException && dir != null && java.nio.file.Files.isDirectory(dir)
                ? "no file can be made in " + (file.getParent() != null ? file.getParent() : dir) // /proc, say
                : e instanceof java.nio.file.NoSuchFileException ? "no such directory"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : String.valueOf(e.getMessage());
        return UserError.usage("cannot write " + file + ": " + why);
    }

    /**
     * The story of the selected calls: told from the first one with what the calls before it taught the
     * story (a long timeline's story side file saves that every so many steps, so {@code --from N} costs
     * the same at any N).
     */
    private static void text(Request r, PrintWriter out, Style style) {
        Telling t = Telling.from(r.source(), r.file(), r.writes(), r.first(), r.notes());
        List<Op> ops = r.upToLast();
        new TimelineTextRenderer(t.narration()).render(t.story(), ops.subList(Math.min(t.after(), ops.size()),
                ops.size()), r::selects, out, style);
    }

    /**
     * JSON Lines in the one schema of {@link JsonlExporter}: a recorded timeline's header line, then
     * every event (unfiltered) or the events of the selected calls; a trace's header, then its selected
     * calls with what each changed.
     */
    private static void jsonl(Request r, PrintWriter out, Style style) throws IOException {
        if (r.source().timeline().isEmpty()) {
            JsonlExporter.exportTrace(r.file().getFileName().toString(), r.glibc(), HtmlExport.tunables(r),
                    r.source().steps(), r.selected(), out);
            return;
        }
        Timeline t = r.source().timeline().get();
        if (r.everything()) {
            JsonlExporter.export(t, out);
            return;
        }
        out.print(JsonlExporter.headerJson(t));
        for (Op op : r.selected()) {
            for (int i = t.callOfStep(op.number()), end = t.endOfStep(op.number()); i < end; i++) {
                out.print(JsonlExporter.toJson(t.event(i)));
            }
        }
    }

    /** The page always starts at step 0 and shows every call; the selections belong to the other formats. */
    private void checkHtmlOptions() {
        if (format == Format.html) {
            if (from != null || to != null || fn != null || chunk != null) {
                throw UserError.usage("--format html shows every call from step 0 (up to --max-steps); "
                        + "--from, --to, --fn and --chunk apply to text, jsonl and chrome");
            }
            if (maxSteps < 1) {
                throw UserError.usage("--max-steps " + maxSteps + ": must be at least 1");
            }
        } else if (spec.commandLine().getParseResult().hasMatchedOption("--max-steps")) {
            throw UserError.usage("--max-steps applies to --format html only");
        }
    }

    private Predicate<Op> filter() {
        Predicate<Op> p = op -> true;
        if (fn != null) {
            checkFunction(fn);
            p = p.and(op -> op.function().equals(fn));
        }
        if (chunk != null) {
            long a = Addresses.parse("--chunk", chunk);
            p = p.and(op -> touches(op, a));
        }
        return p;
    }

    /** The functions a call can be of: every recorded one, and a threaded trace's hand-over of the baton. */
    static List<String> functionNames() {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < io.mallocscope.runtime.timeline.Functions.count(); i++) {
            names.add(io.mallocscope.runtime.timeline.Functions.name(i));
        }
        names.add("sched_switch_to");
        return names;
    }

    /** {@code --fn NAME} must name a function a call can be of: a typo would select nothing, silently. */
    static void checkFunction(String name) {
        List<String> names = functionNames();
        if (!names.contains(name)) {
            throw UserError.usage("--fn " + name + ": no such function (known: " + String.join(", ", names) + ")");
        }
    }

    /** Whether the call handed out, gave back or moved the chunk at {@code a} (chunk address or user pointer). */
    static boolean touches(Op op, long a) {
        if (op.mem() != 0 && (op.mem() == a || op.mem() - 16 == a)) {
            return true;
        }
        if (op.freed() != 0 && (op.freed() == a || op.freed() - 16 == a)) {
            return true;
        }
        for (Event e : op.events()) {
            if (EventText.hasChunk(e) && (e.chunk() == a || e.chunk() + 16 == a)) {
                return true;
            }
            EventKind k = e.kind();
            if ((k == EventKind.SPLIT || k == EventKind.COALESCE || k == EventKind.TOP_EXTEND) && e.other() == a
                    || k == EventKind.COALESCE && e.merged() == a) {
                return true;
            }
        }
        return false;
    }
}
