package io.mallocscope.cli;

import io.mallocscope.cli.html.HtmlModel;
import io.mallocscope.cli.html.HtmlModels;
import io.mallocscope.cli.html.HtmlRenderer;
import io.mallocscope.cli.html.PageBudget;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.plot.HeapSeries;
import io.mallocscope.cli.source.StateSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code --format html} hook: hands the already-open source to the HTML viewer (package
 * {@code cli.html}) — a recorded timeline with its calls and rebuilt heap, or a {@code .rep} trace
 * replayed in-process — for at most {@code --max-steps} calls. The whole page is built before anything
 * is written: a page that would not fit in memory is refused with one line, and nothing is written.
 */
final class HtmlExport {
    private HtmlExport() {
    }

    static void write(TimelineCommand.Request r, PrintWriter out) throws IOException {
        HtmlModel m = model(r);
        HtmlRenderer.render(m.withCharts(charts(r.source(), m.steps().size() - 1)), out);
        out.flush();
    }

    /** The charts of steps {@code 0..last}: the numbers {@code plot} draws, read off the same source. */
    static HtmlModel.Charts charts(StateSource s, int last) {
        HeapSeries h = HeapSeries.of(s, last);
        Map<String, long[]> free = new LinkedHashMap<>();
        for (BinType t : BinType.values()) {
            free.put(t.banner(), h.free.get(t));
        }
        return new HtmlModel.Charts(h.heap, h.mmapped, h.live, free, h.peakLive, h.peakHeap);
    }

    private static HtmlModel model(TimelineCommand.Request r) {
        String name = r.file().getFileName().toString();
        try {
            if (r.source().timeline().isEmpty()) {
                return HtmlModels.fromTrace(r.source().trace().orElseThrow(), name, r.glibc(), r.tunables(),
                        r.maxSteps());
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
}
