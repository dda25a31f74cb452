package io.mallocscope.cli;

import io.mallocscope.cli.html.HtmlModels;
import io.mallocscope.cli.html.HtmlRenderer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The {@code --format html} hook: hands the source to the HTML viewer (package {@code cli.html}).
 * The viewer builds its page from a replayed {@code .rep} trace today; for recorded timelines it
 * says "not yet" rather than writing a page without them.
 */
final class HtmlExport {
    private HtmlExport() {
    }

    static void write(Path file, String glibc, String tunables, PrintWriter out) throws IOException {
        if (!file.getFileName().toString().endsWith(".rep")) {
            throw UserError.data("--format html: the HTML viewer cannot show recorded timelines yet (only .rep "
                    + "traces); use --format text, jsonl or chrome");
        }
        HtmlRenderer.render(HtmlModels.fromTrace(file, glibc, tunables), out);
        out.flush();
    }
}
