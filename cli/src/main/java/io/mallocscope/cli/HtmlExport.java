package io.mallocscope.cli;

import io.mallocscope.cli.html.HtmlModel;
import io.mallocscope.cli.html.HtmlModels;
import io.mallocscope.cli.html.HtmlRenderer;
import io.mallocscope.cli.html.PageBudget;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.plot.HeapSeries;
import io.mallocscope.cli.source.HeapViews;
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
        // plot's series, filled by the page's own walk of the process (one rebuild for both)
        HeapSeries.Builder series = new HeapSeries.Builder(r.source().ops());
        HtmlModel m = model(r, (p, n) -> series.step(HeapViews.snapshot(n, p), p));
        HtmlRenderer.render(m.withCharts(charts(series.build(m.steps().size() - 1))), out);
        out.flush();
    }

    /**
     * The page's charts: {@code plot}'s series ({@link HeapSeries}) for the steps the page holds, so the
     * page and {@code plot} draw the same numbers (every arena's heaps and bins, every thread's tcache).
     */
    static HtmlModel.Charts charts(HeapSeries s) {
        Map<String, long[]> free = new LinkedHashMap<>();
        for (BinType t : BinType.values()) {
            free.put(t.banner(), s.free.get(t));
        }
        return new HtmlModel.Charts(s.heap, s.mmapped, s.live, free, s.peakLive, s.peakHeap);
    }

    private static HtmlModel model(TimelineCommand.Request r, java.util.function.ObjIntConsumer<CProcess> each) {
        String name = r.file().getFileName().toString();
        try {
            if (r.source().timeline().isEmpty()) {
                return HtmlModels.fromTrace(replayed(r.source()), name, r.glibc(), tunables(r), r.maxSteps(), each);
            }
            try {
                return HtmlModels.fromTimeline(r.source().timeline().get(), r.source().ops(), name, r.maxSteps(), each);
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
