package io.mallocscope.cli;

import io.mallocscope.cli.source.Detail;
import io.mallocscope.cli.render.HeapRenderer;
import io.mallocscope.cli.source.StateSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code mallocscope heap SOURCE [--at N]}: the chunk walk, as pwndbg's {@code heap} prints it. */
@Command(name = "heap", mixinStandardHelpOptions = true,
        description = "Walk the heap's chunks at a step, as pwndbg's 'heap' prints them.")
final class HeapCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    SourceOptions source;
    @Mixin
    ColorOption color;
    @Mixin
    FocusOptions focus;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        StateSource s = source.open(spec.commandLine().getErr());
        new HeapRenderer().render(SourceOptions.stateAt(s, source.at, "--at", focus.focus(), Detail.NO_BYTES), out,
                color.style());
        out.flush();
        return Exit.OK;
    }
}
