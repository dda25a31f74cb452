package io.mallocscope.cli;

import io.mallocscope.cli.html.HtmlModel;
import io.mallocscope.cli.html.HtmlModels;
import io.mallocscope.cli.html.HtmlRenderer;
import io.mallocscope.runtime.timeline.Timeline;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * The {@code --format html} hook: hands the source to the HTML viewer (package {@code cli.html}) — a
 * recorded timeline with its calls and rebuilt heap, or a {@code .rep} trace replayed in-process —
 * for at most {@code --max-steps} calls.
 */
final class HtmlExport {
    private HtmlExport() {
    }

    static void write(TimelineCommand.Request r, PrintWriter out) throws IOException {
        int maxSteps = r.maxSteps();
        HtmlModel model;
        if (r.source().timeline().isPresent()) {
            Timeline t = r.source().timeline().get();
            try {
                model = HtmlModels.fromTimeline(t, r.source().ops(), r.file().getFileName().toString(), maxSteps);
            } catch (IllegalArgumentException e) {
                throw UserError.data("cannot rebuild the recorded process: " + e.getMessage());
            }
        } else {
            model = HtmlModels.fromTrace(r.file(), r.glibc(), r.tunables(), maxSteps);
        }
        HtmlRenderer.render(model, out);
        out.flush();
    }
}
