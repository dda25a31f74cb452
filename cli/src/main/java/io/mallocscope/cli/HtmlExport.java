package io.mallocscope.cli;

import io.mallocscope.cli.html.HtmlModel;
import io.mallocscope.cli.html.HtmlModels;
import io.mallocscope.cli.html.HtmlRenderer;
import io.mallocscope.cli.html.PageBudget;

import java.io.IOException;
import java.io.PrintWriter;

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
        HtmlRenderer.render(model(r), out);
        out.flush();
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
