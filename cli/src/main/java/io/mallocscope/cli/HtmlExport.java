package io.mallocscope.cli;

import io.mallocscope.cli.html.HtmlModel;
import io.mallocscope.cli.html.HtmlModels;
import io.mallocscope.cli.html.HtmlRenderer;
import io.mallocscope.cli.html.PageBudget;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.plot.HeapSeries;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.source.Inputs;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.CProcess;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --format html} hook: hands the already-open source to the HTML viewer (package
 * {@code cli.html}) — a recorded timeline with its calls and rebuilt heap, or a {@code .rep} trace
 * replayed in-process by its source (once: the page walks the source's process) — for at most {@code --max-steps} calls. The whole page is built before anything
 * is written: a page that would not fit in memory is refused with one line, and nothing is written.
 */
final class HtmlExport {
    private HtmlExport() {
    }

    static void write(TimelineCommand.Request r, PrintWriter out) throws IOException {
        HtmlModel m = model(r);
        HtmlRenderer.render(m.withCharts(charts(m, r.source().ops())), out);
        out.flush();
    }

    /**
     * The page's charts, read off the states its steps draw (no second rebuild): the heap size is the
     * break's extent past the first heap chunk plus the mmapped chunks, the free bytes of a class the
     * chunks of the walk in that class's bins, the live bytes {@code plot}'s, from the calls. These are
     * {@code plot}'s numbers, but for a forged bin entry outside the heap, which the walk does not draw.
     */
    static HtmlModel.Charts charts(HtmlModel m, List<Op> ops) {
        int n = m.steps().size();
        long[] heap = new long[n];
        long[] mmapped = new long[n];
        Map<String, long[]> free = new LinkedHashMap<>();
        for (BinType t : BinType.values()) {
            free.put(t.banner(), new long[n]);
        }
        long peakHeap = 0;
        for (int i = 0; i < n; i++) {
            HtmlModel.Step s = m.steps().get(i);
            long first = -1;
            for (HtmlModel.ChunkBox c : s.chunks()) {
                if (c.state().equals("mmapped")) {
                    mmapped[i] += c.size();
                    continue;
                }
                if (first < 0) {
                    first = c.address();
                }
                BinType t = CLASS.get(c.state());
                if (t != null) {
                    free.get(t.banner())[i] += c.size();
                }
            }
            heap[i] = (first < 0 || s.brk() == 0 ? 0 : s.brk() - first) + mmapped[i];
            peakHeap = Math.max(peakHeap, heap[i]);
        }
        long[] live = HeapSeries.live(ops, n - 1);
        long peakLive = 0;
        for (long l : live) {
            peakLive = Math.max(peakLive, l);
        }
        return new HtmlModel.Charts(heap, mmapped, live, free, peakLive, peakHeap);
    }

    /** The page's chunk states that are bins, by class. */
    private static final Map<String, BinType> CLASS = Map.of("tcache", BinType.TCACHE, "fastbin", BinType.FASTBIN,
            "unsorted", BinType.UNSORTED, "smallbin", BinType.SMALLBIN, "largebin", BinType.LARGEBIN);

    private static HtmlModel model(TimelineCommand.Request r) {
        String name = r.file().getFileName().toString();
        try {
            if (r.source().timeline().isEmpty()) {
                return HtmlModels.fromTrace(replayed(r.source()), name, r.glibc(), tunables(r), r.maxSteps());
            }
            try {
                return HtmlModels.fromTimeline(r.source().timeline().get(), r.source().ops(), name, r.maxSteps());
            } catch (IllegalArgumentException e) {
                throw UserError.data("cannot rebuild the recorded process: " + e.getMessage());
            }
        } catch (PageBudget.TooLarge e) {
            throw UserError.data(e.getMessage());
        }
    }

    /** The tunables a trace was replayed with: its own {@code # tunables:} line, else --tunables. */
    static String tunables(TimelineCommand.Request r) {
        return Inputs.tunables(r.source().trace().orElseThrow(), r.tunables());
    }

    /** The open source as the page reads a replayed trace. */
    static HtmlModels.Replayed replayed(StateSource s) {
        return new HtmlModels.Replayed() {
            @Override
            public int steps() {
                return s.steps();
            }

            @Override
            public CProcess process(int n) {
                return s.process(n);
            }

            @Override
            public List<Op> ops() {
                return s.ops();
            }

            @Override
            public String stdout() {
                return s.stdout();
            }

            @Override
            public String stderr() {
                return s.stderr();
            }
        };
    }
}
