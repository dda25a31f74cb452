package io.mallocscope.cli;

import io.mallocscope.cli.render.MapsRenderer;
import io.mallocscope.cli.source.StateSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code mallocscope maps SOURCE [--at N]}: the process memory layout. */
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

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        StateSource s = source.open(spec.commandLine().getErr());
        new MapsRenderer().render(SourceOptions.stateAt(s, source.at, "--at", focus.focus()), out, color.style());
        out.flush();
        return Exit.OK;
    }
}
