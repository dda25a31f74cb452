package io.mallocscope.cli;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.render.BinsTextRenderer;
import io.mallocscope.cli.render.HeapRenderer;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.TimelineTextRenderer;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.samples.Samples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mallocscope run PROGRAM [ARGS…]}: runs a sample (or a {@code CProgram} class on
 * {@code --classpath}) in a fresh JVM with the recording agent, streams what it prints, then shows
 * what malloc did. Ends with the program's own exit status.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a sample program (or a CProgram class on --classpath) under the recording agent, "
                + "then show what malloc did.",
                "Options go before PROGRAM: everything after it is passed to the program.",
                "Ends with the program's own exit status (134 after an abort, 139 after a segfault)."})
final class RunCommand implements Callable<Integer> {
    enum View { timeline, summary, none }

    /** What to show once the program has ended, given its timeline. */
    @FunctionalInterface
    interface AfterRun {
        void show(StateSource timeline, PrintWriter out, Style style);
    }

    static final Map<View, AfterRun> VIEWS = Map.of(
            View.timeline, RunCommand::story,
            View.summary, RunCommand::summary,
            View.none, (s, out, style) -> { });

    @Spec
    CommandSpec spec;
    @Mixin
    ColorOption color;

    @Parameters(index = "0", paramLabel = "PROGRAM",
            description = "A sample name (see 'mallocscope list'), or a class name with --classpath.")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the program.")
    List<String> args = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write the timeline (default: mallocscope-PROGRAM.timeline in the temp directory).")
    Path out;

    @Option(names = "--glibc", paramLabel = "VERSION", defaultValue = "2.36",
            description = GlibcOption.DESCRIPTION)
    String glibc;

    @Option(names = "--tunables", paramLabel = "TUNABLES",
            description = "GLIBC_TUNABLES, e.g. glibc.malloc.tcache_count=0")
    String tunables;

    @Option(names = "--view", paramLabel = "VIEW", defaultValue = "timeline",
            description = "What to show after the run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    View view;

    @Option(names = "--classpath", paramLabel = "CP",
            description = "Run PROGRAM as a CProgram class found on this class path.")
    String classpath;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        List<String> cmd = new ArrayList<>();
        cmd.add(Home.java().toString());
        // relative --out stays relative in messages; the agent gets the absolute path
        Path timeline = out != null ? out : Path.of(System.getProperty("java.io.tmpdir"),
                "mallocscope-" + program.replaceAll("[^A-Za-z0-9._-]", "_") + ".timeline");
        Optional<Path> agent = Home.agentJar();
        if (agent.isPresent()) {
            Files.deleteIfExists(timeline);
            cmd.add("-javaagent:" + agent.get() + "=out=" + timeline.toAbsolutePath());
        }
        cmd.add("-Dmallocscope.glibc=" + glibc);
        if (tunables != null && !tunables.isEmpty()) {
            cmd.add("-Dmallocscope.tunables=" + tunables);
        }
        if (Terminal.isTerminal()) {
            // the program's stdout reaches a terminal through us: glibc sizes its stdout buffer for that
            cmd.add("-Dmallocscope.stdout.tty=true");
        }
        if (classpath != null) {
            cmd.add("-cp");
            cmd.add(classpath + File.pathSeparator + Home.runtimeClasses() + File.pathSeparator + Home.cliClasses());
            cmd.add(ProgramLauncher.class.getName());
            cmd.add(program);
        } else {
            if (Samples.find(program).isEmpty()) {
                throw UserError.usage("unknown program '" + program
                        + "' ('mallocscope list' shows the samples; use --classpath CP to run your own class)");
            }
            Path samples = Home.samplesJar();
            if (!Files.isRegularFile(samples)) {
                throw UserError.data(samples + " is missing: build it with ./mvnw package (or use ./mallocscope, "
                        + "which builds on first use)");
            }
            cmd.add("-jar");
            cmd.add(samples.toString());
            cmd.add(program);
        }
        cmd.addAll(args);

        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        Thread o = pump(p.getInputStream(), stdout);
        Thread e = pump(p.getErrorStream(), err);
        int status = p.waitFor();
        o.join();
        e.join();
        stdout.flush();
        err.flush();

        if (view == View.none) {
            return status;
        }
        if (agent.isEmpty()) {
            err.println("mallocscope: the timeline is not available: the recording agent is not built yet "
                    + "(agent/target/mallocscope-agent.jar is missing or has no Premain-Class), so the program ran unrecorded.");
            err.flush();
            return status;
        }
        if (!Files.isRegularFile(timeline) || Files.size(timeline) == 0) {
            err.println("mallocscope: no timeline was recorded in " + timeline + "; nothing to show.");
            err.flush();
            return status;
        }
        try {
            StateSource s = Sources.open(timeline, new Sources.ReplaySettings(glibc, tunables == null ? "" : tunables));
            s.damage().ifPresent(d -> err.println("mallocscope: warning: " + d + "; showing what is readable"));
            Style style = color.style();
            stdout.println();
            stdout.println(style.banner("── what malloc did (" + s.steps() + " calls; timeline in " + timeline + ") ──"));
            VIEWS.get(view).show(s, stdout, style);
            stdout.println();
            stdout.println(style.dim("Look closer: mallocscope heap|bins|vis " + timeline + " --at N"));
        } catch (UserError u) {
            err.println("mallocscope: cannot show the timeline: " + u.getMessage());
        }
        stdout.flush();
        err.flush();
        return status;
    }

    /** Every call with what it did, then the free lists as the program left them. */
    private static void story(StateSource s, PrintWriter out, Style style) {
        new TimelineTextRenderer().render(List.of(), s.ops(), out, style);
        HeapSnapshot end = s.at(s.steps());
        if (!end.bins().isEmpty()) {
            out.println();
            out.println(style.bold("free lists at the end (mallocscope bins):"));
            new BinsTextRenderer().render(end, out, style);
        }
    }

    private static void summary(StateSource s, PrintWriter out, Style style) {
        HeapSnapshot end = s.at(s.steps());
        out.println(style.bold("heap at the end (step " + end.step() + "):"));
        new HeapRenderer().render(end, out, style);
        new BinsTextRenderer().render(end, out, style);
    }

    private static Thread pump(InputStream in, PrintWriter to) {
        Thread t = new Thread(() -> {
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                char[] buf = new char[8192];
                int n;
                while ((n = r.read(buf)) > 0) {
                    synchronized (to) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                }
            } catch (IOException ignored) {
                // the child closed its end: nothing more to copy
            }
        }, "mallocscope-run-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
