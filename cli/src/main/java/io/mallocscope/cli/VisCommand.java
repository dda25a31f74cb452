package io.mallocscope.cli;

import io.mallocscope.cli.render.VisRenderer;
import io.mallocscope.cli.source.StateSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code mallocscope vis SOURCE [--at N] [--chunks K]}: pwndbg's vis_heap_chunks. */
@Command(name = "vis", mixinStandardHelpOptions = true,
        description = "Hexdump the heap, two words a row, one colour per chunk, bin entries and top marked.")
final class VisCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    SourceOptions source;
    @Mixin
    ColorOption color;
    @Mixin
    FocusOptions focus;

    @Option(names = "--chunks", paramLabel = "K", description = "Show only the first K chunks, K ≥ 1 (default: all).")
    Integer chunks;

    @Override
    public Integer call() {
        if (chunks != null && chunks < 1) {
            throw UserError.usage("--chunks must be 1 or more, not " + chunks);
        }
        PrintWriter out = spec.commandLine().getOut();
        StateSource s = source.open(spec.commandLine().getErr());
        new VisRenderer(chunks == null ? 0 : chunks).render(SourceOptions.stateAt(s, source.at, "--at", focus.focus()), out,
                Stdout.utf8(out), color.style());
        out.flush();
        return Exit.OK;
    }
}
