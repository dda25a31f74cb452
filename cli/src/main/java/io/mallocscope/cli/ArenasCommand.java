package io.mallocscope.cli;

import io.mallocscope.cli.render.ArenasRenderer;
import io.mallocscope.cli.source.StateSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code mallocscope arenas SOURCE [--at N] [--pid N]}: every arena, its heaps and threads, as pwndbg's {@code arenas}. */
@Command(name = "arenas", mixinStandardHelpOptions = true,
        description = "List every arena at a step: top, system_mem, attached threads, heaps (heap_info) and the free list.")
final class ArenasCommand implements Callable<Integer> {
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
        int step = source.at == null ? s.steps() : source.at;
        SourceOptions.checkStep(s, step, "--at");
        new ArenasRenderer().render(s.arenasAt(step, focus.focus()), out, color.style());
        out.flush();
        return Exit.OK;
    }
}
