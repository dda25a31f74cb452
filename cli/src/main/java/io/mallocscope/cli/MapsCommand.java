package io.mallocscope.cli;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.source.Detail;
import io.mallocscope.cli.render.MapsRenderer;
import io.mallocscope.cli.source.StateSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code mallocscope maps SOURCE [--at N] [--pid N] [--format text|proc]}: the process memory layout. */
@Command(name = "maps", mixinStandardHelpOptions = true,
        description = "Show the process memory layout at a step, like /proc/PID/maps, with sizes.")
final class MapsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    SourceOptions source;
    @Mixin
    ColorOption color;
    @Mixin
    FocusOptions.Pid focus;

    /** The default view, or exactly the lines of /proc/PID/maps. */
    enum Format { text, proc }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (the default: ranges, sizes and what each mapping holds) or proc (exactly the lines "
                    + "of /proc/PID/maps: offset, device and inode; no sizes, no kernel half).")
    Format format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        StateSource s = source.open(spec.commandLine().getErr());
        HeapSnapshot state = SourceOptions.stateAt(s, source.at, "--at", focus.focus(), Detail.MAPS);
        if (format == Format.proc) {
            MapsRenderer.renderProc(state, out);
        } else {
            new MapsRenderer().render(state, out, color.style());
        }
        out.flush();
        return Exit.OK;
    }
}
