package io.mallocscope.cli;

import io.mallocscope.cli.explain.ChunkLife;
import io.mallocscope.cli.explain.Narrator;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.text.Hex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code mallocscope chunk SOURCE ADDR}: one chunk's life, step by step. */
@Command(name = "chunk", mixinStandardHelpOptions = true,
        description = "One chunk's life: created, split, handed out, written, freed into which bin, moved, "
                + "merged — with the steps.")
final class ChunkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ColorOption color;

    @Parameters(index = "0", paramLabel = "SOURCE",
            description = "A recorded timeline, or a malloclab trace (.rep) replayed in-process.")
    Path source;
    @Parameters(index = "1", paramLabel = "ADDR",
            description = "The chunk's address or the pointer a call handed out (hex).")
    String addr;
    @Mixin
    GlibcOption glibc;
    @Mixin
    TunablesOption tunables;

    @Override
    public Integer call() {
        long a = Addresses.parse("ADDR", addr);
        PrintWriter out = spec.commandLine().getOut();
        StateSource s = Sources.open(source, SourceOptions.settings(glibc, tunables));
        SourceOptions.warn(s, source, spec, spec.commandLine().getErr());
        long chunk = ChunkLife.chunkOf(s.ops(), a);
        List<ChunkLife.Step> steps = new ChunkLife(chunk).steps(s.ops(), Narrator.of(s, Narrator.Writes.all));
        if (steps.isEmpty()) {
            throw UserError.data("no call of " + s.name() + " touched a chunk at " + Hex.of(a)
                    + " (give the chunk's address or the pointer malloc returned)");
        }
        var style = color.style();
        out.println(style.bold("chunk " + Hex.of(chunk)) + " in " + s.name() + ": " + steps.size()
                + (steps.size() == 1 ? " step" : " steps"));
        List<io.mallocscope.cli.model.Op> ops = s.ops();
        for (ChunkLife.Step st : steps) {
            StringBuilder line = new StringBuilder(style.bold("#" + st.number())).append(' ');
            // the call's thread or process, as timeline's header names it ([t1], [pid 3]) when the source has several
            String who = st.number() >= 1 && st.number() <= ops.size() ? ops.get(st.number() - 1).who() : null;
            if (who != null) {
                line.append('[').append(who).append("] ");
            }
            line.append(st.call());
            if (st.site() != null) {
                line.append("   ").append(style.dim(st.site()));
            }
            out.println(line);
            for (String l : st.lines()) {
                out.println("    " + l);
            }
        }
        out.flush();
        return Exit.OK;
    }
}
