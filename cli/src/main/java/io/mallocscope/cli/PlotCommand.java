package io.mallocscope.cli;

import io.mallocscope.cli.plot.Charts;
import io.mallocscope.cli.plot.HeapMap;
import io.mallocscope.cli.plot.HeapSeries;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.text.Hex;
import org.jfree.chart.JFreeChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mallocscope plot SOURCE [--kind heap|bins] [--out F.svg|F.png]}: the heap over the steps, as a chart. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "The heap over the steps: its size against the live requested bytes, with the malloc lab's "
                + "peak utilisation (--kind heap), the free bytes in each bin class (--kind bins), or a map of "
                + "the heap's chunks, address across, step down (--kind map); --out F.svg or F.png draws the chart.")
final class PlotCommand implements Callable<Integer> {
    enum Kind { heap, bins, map }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE",
            description = "A recorded timeline, or a malloclab trace (.rep) replayed in-process.")
    Path source;
    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "heap",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Kind kind;
    @Option(names = "--out", paramLabel = "F", description = "Draw the chart into F: .svg or .png.")
    Path out;
    @Mixin
    GlibcOption glibc;
    @Mixin
    TunablesOption tunables;

    @Override
    public Integer call() {
        OpenOnWrite.refuseDirectoryName(spec);
        String format = out == null ? null : formatOf(out);
        if (out != null) {
            OpenOnWrite.check(out);
        }
        StateSource s = Sources.open(source, SourceOptions.settings(glibc, tunables));
        SourceOptions.warn(s, source, spec, spec.commandLine().getErr());
        // one walk over the steps: the map is drawn from the snapshots the series reads
        HeapMap.Builder mapped = kind == Kind.map ? new HeapMap.Builder(s.steps()) : null;
        HeapSeries series = HeapSeries.of(s, s.steps(), mapped == null ? (snap, n) -> { } : (snap, n) -> mapped.add(n, snap));
        PrintWriter o = spec.commandLine().getOut();
        summary(s.name(), series, o);
        HeapMap map = mapped == null ? null : mapped.build();
        if (map != null) {
            String steps = "steps 0.." + map.last + (map.last < map.steps ? " of " + map.steps : "");
            o.println(map.boxes.isEmpty()
                    ? "heap map           " + steps + ": nothing to draw, no step has a chunk in the brk heap "
                    + "(mmapped chunks are not drawn)"
                    : "heap map           " + steps + " down, " + Hex.of(map.heapStart) + "..+" + Hex.of(map.shownEnd())
                    + " across (the heap's chunks; mmapped chunks are not drawn)");
        }
        o.flush();
        if (out != null) {
            System.setProperty("java.awt.headless", "true");
            String title = source.getFileName().toString();
            JFreeChart c = switch (kind) {
                case heap -> Charts.heap(series, title);
                case bins -> Charts.bins(series, title);
                case map -> Charts.map(map, title);
            };
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try {
                if (format.equals("png")) {
                    Charts.png(c, bytes);
                } else {
                    Charts.svg(c, bytes);
                }
            } catch (IOException e) {
                throw TimelineCommand.cannotWrite(out, e);
            }
            OpenOnWrite file = new OpenOnWrite(out);
            try {
                file.write(bytes.toByteArray());
                file.finish();
            } catch (IOException e) {
                file.abandon();
                throw TimelineCommand.writeFailed(out, e);
            }
            spec.commandLine().getErr().println("mallocscope: wrote " + out);
        }
        return Exit.OK;
    }

    /** The malloc lab's numbers (CS:APP 9.9): peak live payload, peak heap, their ratio. */
    static void summary(String name, HeapSeries s, PrintWriter o) {
        o.println(name + ": " + s.steps + (s.steps == 1 ? " call" : " calls"));
        o.println("peak live payload  " + Hex.of(s.peakLive) + " (" + s.peakLive + " bytes)");
        o.println("peak heap size     " + Hex.of(s.peakHeap) + " (" + s.peakHeap + " bytes: brk extent + "
                + (s.otherArenas() ? "other arenas' heaps + " : "") + "mmapped)");
        o.println(String.format("peak utilisation   %.2f%% (peak payload / peak heap, as the malloc lab computes it)",
                100 * s.utilisation()));
    }

    private static String formatOf(Path f) {
        String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".svg")) {
            return "svg";
        }
        if (n.endsWith(".png")) {
            return "png";
        }
        throw UserError.usage("--out " + f + ": name an .svg or a .png file (the extension picks the format)");
    }
}
