package io.mallocscope.cli;

import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinLabels;
import io.mallocscope.cli.model.Changes;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.render.BinsTextRenderer;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.source.HeapViews;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.text.Hex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mallocscope try-free SOURCE ADDR [--at N]}: pwndbg's {@code try_free}, answered by the allocator
 * itself. The process is rebuilt at the step and glibc's own {@code free(ADDR)} runs on it; what it did is
 * told with {@link Changes} (the words {@code diff} and a trace's story use), or its abort.
 *
 * <p>The rebuilt process belongs to this command's source alone, opened for this command and dropped after
 * it: the free changes that in-memory copy, never the file. Free's individual checks are not listed: the
 * allocator does not report them one by one, and listing them here would mean writing malloc.c's checks a
 * second time; the abort message names the one that failed.
 */
@Command(name = "try-free", mixinStandardHelpOptions = true,
        description = {"What free(ADDR) would do at a step (pwndbg's try_free), told by glibc's own free run on "
                + "the process rebuilt at that step: the abort message and SIGABRT, or what the free changed "
                + "(which bin, with its count; merged with a neighbour; into top; munmapped) and the bins after.",
                "The file is never changed. Exit status 0 whatever free would do."})
final class TryFreeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    SourceOptions source;
    @Mixin
    ColorOption color;

    @Parameters(index = "1", paramLabel = "ADDR",
            description = "The pointer to free (hex), as the program would pass it: what malloc returned.")
    String addr;

    @Override
    public Integer call() {
        long mem = Addresses.parse("ADDR", addr);
        PrintWriter out = spec.commandLine().getOut();
        StateSource s = source.open(spec.commandLine().getErr());
        int step = source.at == null ? s.steps() : source.at;
        CProcess p = s.process(step);
        refuseSeveralThreads(s, p, step);
        Style style = color.style();

        HeapSnapshot before = HeapViews.snapshot(step, p);
        out.println(style.bold("free(" + Hex.of(mem) + ")") + " at step " + step + " of " + s.name() + ", "
                + p.malloc().profile() + ": " + chunkBefore(p, before, mem));
        SimulatedSignal stopped = null;
        try {
            p.libc().free(mem);
        } catch (SimulatedSignal signal) {
            stopped = signal;
        }
        if (stopped != null) {
            // glibc's message as it prints it (an abort), or the kernel's reason (a fault reading the chunk)
            out.println(style.bad(stopped.getMessage()));
            out.println("the program would stop here: " + stopped.shellDescription() + " (" + signalName(stopped)
                    + ", exit status " + (128 + stopped.signalNumber()) + ")");
            out.flush();
            return Exit.OK;
        }
        HeapSnapshot after = HeapViews.snapshot(step, p);
        List<String> changes = new Changes().between(before, after, style);
        if (changes.isEmpty()) {
            out.println(mem == 0 ? "free(NULL) returns at once: nothing changes" : "free returns; nothing changed");
        } else {
            out.println("free returns; what it changed:");
            for (String line : changes) {
                out.println("    " + line);
            }
        }
        out.println();
        out.println("free lists after it (mallocscope bins):");
        new BinsTextRenderer().render(after, out, style);
        out.flush();
        return Exit.OK;
    }

    private static String signalName(SimulatedSignal s) {
        return switch (s.signalNumber()) {
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 11 -> "SIGSEGV";
            default -> "signal " + s.signalNumber();
        };
    }

    /**
     * Free runs as the program's thread: which thread's tcache and arena a free in a threaded run uses is not
     * a choice this command makes for the user, so a source with several threads or processes at the step
     * is refused rather than guessed at.
     */
    private static void refuseSeveralThreads(StateSource s, CProcess p, int step) {
        int processes = p.processes().size();
        int threads = HeapView.of(p.malloc()).threads().size();
        if (processes > 1 || threads > 1) {
            throw UserError.data("try-free runs free as the program's only thread, but at step " + step + " "
                    + s.name() + " has " + (processes > 1 ? processes + " processes" : threads + " threads")
                    + " (not supported)");
        }
    }

    /** The chunk ADDR names as the heap walk sees it before the free: its size word and where it is. */
    private static String chunkBefore(CProcess p, HeapSnapshot before, long mem) {
        if (mem == 0) {
            return "NULL";
        }
        long chunk = mem - 0x10;
        String size;
        try {
            size = "size field " + Hex.of(p.memory().read64(chunk + 8));
        } catch (SimulatedSignal unmapped) {
            return "chunk " + Hex.of(chunk) + ", its size field unmapped";
        }
        String where = "not a chunk of the heap walk";
        for (Chunk c : before.chunks()) {
            if (c.address() == chunk) {
                where = Changes.word(c.state());
            }
        }
        for (Chunk c : before.mmapped()) {
            if (c.address() == chunk) {
                where = "mmapped";
            }
        }
        for (Bin b : before.bins()) {
            if (b.chunks().contains(chunk)) {
                where = "in " + BinLabels.name(b);
            }
        }
        return "chunk " + Hex.of(chunk) + ", " + size + ", " + where;
    }
}
