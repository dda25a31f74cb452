package io.mallocscope.cli;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** SOURCE, {@code --at N} and the replay settings, shared by the state views. */
final class SourceOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Parameters(index = "0", paramLabel = "SOURCE",
            description = "A recorded timeline, or a malloclab trace (.rep) replayed in-process.")
    Path source;

    @Option(names = "--at", paramLabel = "N",
            description = "Show the state after the N-th top-level call (0: before the first; default: the end).")
    Integer at;

    @Mixin
    GlibcOption glibc;
    @Mixin
    TunablesOption tunables;

    StateSource open(PrintWriter err) {
        return open(err, s -> {
            if (at != null) {
                checkStep(s, at, "--at");
            }
        });
    }

    /**
     * The source, its warnings said, {@code checkSteps} passed (the steps the user typed, against its length:
     * a step past the end is refused at once), and a long timeline's checkpoints written before anything is
     * shown (explore's screen).
     */
    StateSource open(PrintWriter err, java.util.function.Consumer<StateSource> checkSteps) {
        StateSource s = Sources.open(source, settings(glibc, tunables));
        warn(s, source, mixee, err);
        checkSteps.accept(s);
        s.prepareTimeTravel();
        return s;
    }

    /**
     * How a {@code .rep} source is replayed: {@code --glibc} and {@code --tunables} as given (the trace
     * source checks them, after the file; a recorded timeline carries its own and a warning says so).
     */
    static Sources.ReplaySettings settings(GlibcOption glibc, TunablesOption tunables) {
        return new Sources.ReplaySettings(glibc.version, tunables.given());
    }

    /**
     * The warnings every view gives about its source, one line each on stderr: a damaged file, replay
     * options a recorded timeline ignores, states rebuilt without the program's writes.
     */
    static void warn(StateSource s, Path file, CommandSpec spec, PrintWriter err) {
        s.noteTo(line -> err.println("mallocscope: " + line));
        s.damage().ifPresent(d -> err.println("mallocscope: warning: " + d + "; showing what is readable"));
        warnIfRecorded(s, file, spec, err);
        s.rebuildWarning().ifPresent(w -> err.println("mallocscope: warning: " + file + " " + w));
    }

    /** {@code --glibc} and {@code --tunables} set up a trace's replay; a recorded timeline carries its own. */
    static void warnIfRecorded(StateSource s, Path file, CommandSpec spec, PrintWriter err) {
        if (s.timeline().isEmpty() || spec == null || spec.commandLine() == null
                || spec.commandLine().getParseResult() == null) {
            return;
        }
        List<String> given = new ArrayList<>();
        for (String option : List.of("--glibc", "--tunables")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                given.add(option);
            }
        }
        if (!given.isEmpty()) {
            err.println("mallocscope: warning: " + String.join(" and ", given) + " ignored: " + file
                    + " is a recorded timeline, shown with the glibc and tunables it was recorded with "
                    + "(they apply to .rep traces)");
        }
    }

    /** The state at {@code --at} (or {@code n} when given), checked against the source's length. */
    static HeapSnapshot stateAt(StateSource s, Integer n, String option) {
        return stateAt(s, n, option, io.mallocscope.cli.source.Focus.DEFAULT);
    }

    /** The state at {@code --at} of the process, arena and thread {@code focus} names. */
    static HeapSnapshot stateAt(StateSource s, Integer n, String option, io.mallocscope.cli.source.Focus focus) {
        return stateAt(s, n, option, focus, io.mallocscope.cli.source.Detail.ALL);
    }

    /** As {@link #stateAt(StateSource, Integer, String, io.mallocscope.cli.source.Focus)}, with no more than {@code detail}. */
    static HeapSnapshot stateAt(StateSource s, Integer n, String option, io.mallocscope.cli.source.Focus focus,
                                io.mallocscope.cli.source.Detail detail) {
        int step = n == null ? s.steps() : n;
        checkStep(s, step, option);
        return s.at(step, focus, detail);
    }

    /** A usage error naming {@code option} unless {@code step} is one of the source's steps. */
    static void checkStep(StateSource s, int step, String option) {
        if (step < 0 || step > s.steps()) {
            throw UserError.usage(option + " " + step + " is out of range: " + s.name() + " has " + s.steps()
                    + " top-level calls (steps 0.." + s.steps() + ")");
        }
    }
}
