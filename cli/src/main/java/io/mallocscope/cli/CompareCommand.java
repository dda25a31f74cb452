package io.mallocscope.cli;

import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceComparison;
import io.mallocscope.samples.Samples;
import io.mallocscope.cli.source.Inputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mallocscope compare SOURCE --glibc 2.23,2.27,2.31,2.36,2.43}: the same trace or program
 * under several glibc versions, side by side, and where they part ways.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Replay a trace, or run a sample program, under several glibc versions side by side "
                + "and show where they diverge: a different address, a different size, one version aborting.",
                "Rows marked ! differ between versions. 2.27 and 2.23 are implemented from glibc's source "
                        + "and cannot be checked against the real libraries here."})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE",
            description = "A malloclab trace (.rep), a sample name (see 'mallocscope list'), a C source file (.c), or a timeline "
                    + "recorded from a sample (compared with the arguments it was recorded with).")
    String source;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for a sample or C program.")
    List<String> args = List.of();

    @Option(names = "--glibc", paramLabel = "VERSIONS", split = ",",
            defaultValue = "2.23,2.27,2.31,2.36,2.41,2.43",
            description = "Comma-separated glibc versions (default: ${DEFAULT-VALUE}).")
    List<String> versions;

    @Mixin
    TunablesOption tunablesOption;

    @Option(names = "--divergent", description = "Show only the rows where the versions differ (traces).")
    boolean onlyDivergent;

    @Override
    public Integer call() throws IOException {
        for (String v : versions) {
            try {
                io.mallocscope.runtime.malloc.GlibcProfile.forVersion(v);
            } catch (IllegalArgumentException e) {
                throw UserError.usage(e.getMessage()); // the version that is wrong, before how many there are
            }
        }
        if (versions.size() < 2) {
            throw UserError.usage("compare needs at least two versions, e.g. --glibc 2.27,2.36");
        }
        for (String v : versions) {
            if (versions.indexOf(v) != versions.lastIndexOf(v)) {
                throw UserError.usage("--glibc " + String.join(",", versions) + " names " + v + " twice: compare needs "
                        + "at least two different versions, e.g. --glibc 2.27,2.36");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        Path file = Path.of(source);
        boolean looksLikeFile = source.equals("-") || Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || source.contains("/") || source.endsWith(".rep") || source.endsWith(".c");
        if (!looksLikeFile) {
            Optional<Samples.Info> sample = Samples.find(source);
            if (sample.isEmpty()) {
                throw UserError.usage(source + ": neither a trace file nor a sample name ('mallocscope list' shows the samples)");
            }
            return compareSample(sample.get(), args, out);
        }
        if (source.endsWith(".c")) {
            return compareC(file, out);
        }
        Inputs.Input input = Inputs.open(file);
        file = input.path();
        if (Inputs.isTimeline(input)) {
            // a recorded run: compare the program it recorded, with the arguments it was given
            TimelineHeader header;
            try {
                header = Timeline.read(file).header();
            } catch (IOException e) { // a torn or corrupt header: one line, as every view says it
                throw UserError.data(e.getMessage() != null && e.getMessage().contains(file.toString())
                        ? e.getMessage() : file + ": " + e.getMessage());
            }
            Optional<Samples.Info> recorded = Samples.find(header.program());
            if (recorded.isEmpty()) {
                throw UserError.data(file + " was recorded from '" + header.program() + "', which is not a sample: "
                        + "compare runs samples and traces; record your program under each version with "
                        + "'mallocscope run --glibc VERSION …' instead");
            }
            List<String> argv = header.argv();
            List<String> recordedArgs = !argv.isEmpty() && argv.get(0).equals(header.program())
                    ? argv.subList(1, argv.size()) : argv;
            return compareSample(recorded.get(), args.isEmpty() ? recordedArgs : args, out);
        }
        {
            if (!args.isEmpty()) {
                throw UserError.usage("compare " + source + ": a trace takes no ARGS ('" + args.get(0) + "' is one too "
                        + "many); ARGS go to a sample or a C program");
            }
            Inputs.Traced traced = Inputs.traced(input);
            Trace trace = traced.trace();
            Inputs.replayOptions(trace, versions.get(0), tunablesOption.checked());
            TraceComparison.Result result;
            try {
                result = traced.threaded() != null
                        ? TraceComparison.compare(traced.threaded(), versions, tunablesOption.checked())
                        : TraceComparison.compare(trace, versions, tunablesOption.checked());
            } catch (IllegalArgumentException e) {
                throw UserError.usage(e.getMessage());
            }
            out.print(TraceComparisonText.render(result, onlyDivergent));
            out.flush();
            return Exit.OK;
        }
    }

    /** A C source file, run by the C front end under each version (stdout and stderr are not shown). */
    private int compareC(Path file, PrintWriter out) throws IOException {
        String kind = io.mallocscope.cli.source.FileKinds.notRegular(file);
        if ("missing".equals(kind)) {
            throw UserError.usage(file + ": no such file"); // a missing file is a usage mistake (docs/cli.md)
        }
        if (kind != null) {
            throw UserError.usage(file + ": it is " + kind + ", not a C source file");
        }
        io.mallocscope.c.CFront.Compiled program;
        try {
            program = io.mallocscope.c.CFront.compile(file);
        } catch (io.mallocscope.c.CompileError e) {
            PrintWriter err = spec.commandLine().getErr();
            err.print(e.diagnostic());
            err.flush();
            return Exit.DATA;
        }
        ProgramComparison.Runner runner = new ProgramComparison.Runner() {
            @Override
            public io.mallocscope.runtime.CProcess process(io.mallocscope.runtime.ProcessOptions options) {
                return program.process(options.withProgramName(program.programName()));
            }

            @Override
            public io.mallocscope.runtime.ExitStatus run(io.mallocscope.runtime.CProcess process, String[] args) {
                return program.run(process, args);
            }

            @Override
            public boolean refused(io.mallocscope.runtime.CProcess process) {
                return process.endStatus() == null; // refused while laid out: main never ran, the process never ended
            }
        };
        List<ProgramComparison.Run> runs;
        try {
            runs = ProgramComparison.compare(program.programName(), runner, args, versions, tunablesOption.checked());
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        } catch (ProgramComparison.Refused r) { // as run says it: the diagnostic is the whole message, status 1
            PrintWriter err = spec.commandLine().getErr();
            err.print(r.diagnostic);
            err.flush();
            return Exit.DATA;
        }
        out.print(ProgramComparison.render(file.getFileName().toString(), runs));
        out.flush();
        return Exit.OK;
    }

    private int compareSample(Samples.Info info, List<String> args, PrintWriter out) {
        List<ProgramComparison.Run> runs;
        try {
            runs = ProgramComparison.compare(info.name(), info::newInstance, args, versions,
                    tunablesOption.checked());
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
        out.print(ProgramComparison.render(info.name(), runs));
        out.flush();
        return Exit.OK;
    }
}
