package io.mallocscope.cli;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.source.Detail;
import io.mallocscope.cli.render.DiffRenderer;
import io.mallocscope.cli.source.StateSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code mallocscope diff SOURCE --at N --to M [--pid N]}. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Show what changed between two steps: chunks, bins, top, brk and mappings.")
final class DiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    SourceOptions source;
    @Mixin
    ColorOption color;
    @Mixin
    FocusOptions.Pid focus;

    @Option(names = "--to", paramLabel = "M", required = true, description = "The later step.")
    int to;

    /** diff's --at is the earlier step, M-1 when not given: the shared option's help says otherwise. */
    static void describeAt(picocli.CommandLine.Model.CommandSpec spec) {
        picocli.CommandLine.Model.OptionSpec at = spec.findOption("--at");
        spec.remove(at);
        spec.addOption(at.toBuilder()
                .description("The earlier step: the state after the N-th top-level call (0: before the first; "
                        + "default: M-1).")
                .build());
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int from = source.at == null ? Math.max(0, to - 1) : source.at;
        StateSource s = source.open(spec.commandLine().getErr(), src -> {
            // check the steps the user typed first: a wrong --to must not be blamed on the --at derived from it
            SourceOptions.checkStep(src, to, "--to");
            SourceOptions.checkStep(src, from, "--at");
            if (from > to) {
                throw UserError.usage("--at " + from + " --to " + to + " is reversed: --at is the earlier step ("
                        + src.name() + " has steps 0.." + src.steps() + ")");
            }
        });
        // diff compares chunks, bins, mappings and parameters: it reads no memory
        HeapSnapshot sa = SourceOptions.stateAt(s, from, "--at", focus.focus(), Detail.NO_BYTES);
        HeapSnapshot sb = SourceOptions.stateAt(s, to, "--to", focus.focus(), Detail.NO_BYTES);
        new DiffRenderer().render(sa, sb, out, color.style());
        out.flush();
        return Exit.OK;
    }
}
