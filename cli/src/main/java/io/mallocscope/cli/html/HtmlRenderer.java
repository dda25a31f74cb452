package io.mallocscope.cli.html;

import io.mallocscope.runtime.text.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes an {@link HtmlModel} as one self-contained HTML page: the template
 * {@code /html/timeline.html} (inline CSS and JavaScript, no network) with the model embedded as JSON.
 * The page draws everything from that JSON with {@code textContent}, so text the program produced
 * (its output, labels) is shown literally, never interpreted as markup.
 */
public final class HtmlRenderer {
    static final String TEMPLATE = "/html/timeline.html";
    static final String DATA_PLACEHOLDER = "@MALLOCSCOPE_DATA@";
    static final String TITLE_PLACEHOLDER = "@MALLOCSCOPE_TITLE@";

    private HtmlRenderer() {
    }

    /** Writes the page for {@code model} to {@code out} (the writer is flushed, not closed). */
    public static void render(HtmlModel model, Writer out) throws IOException {
        String template = template();
        int t = template.indexOf(TITLE_PLACEHOLDER);
        int d = template.indexOf(DATA_PLACEHOLDER);
        if (t < 0 || d < t) {
            throw new IllegalStateException(TEMPLATE + " lacks its placeholders");
        }
        out.write(template, 0, t);
        out.write(escapeHtml(model.title()));
        out.write(template, t + TITLE_PLACEHOLDER.length(), d - t - TITLE_PLACEHOLDER.length());
        out.write(json(model));
        out.write(template.substring(d + DATA_PLACEHOLDER.length()));
        out.flush();
    }

    /**
     * The model as the JSON object the page reads: addresses as "0x…" strings (JavaScript numbers lose
     * bits above 2^53), sizes as numbers, chunks as {@code [address, size, state, label]} arrays.
     */
    static String json(HtmlModel model) {
        StringBuilder sb = new StringBuilder(4096);
        Json j = new Json(sb);
        HtmlModel.Header h = model.header();
        j.beginObject()
                .name("title").value(model.title())
                .name("header").beginObject()
                .name("program").value(h.program())
                .name("glibc").value(h.glibc())
                .name("tunables").value(h.tunables())
                .name("heapStart").value(Hex.of(h.heapStart()))
                .endObject();
        j.name("steps").beginArray();
        for (HtmlModel.Step s : model.steps()) {
            j.beginObject()
                    .name("number").value(s.number())
                    .name("op").value(s.op())
                    .name("site").value(s.site())
                    .name("explanation").beginArray();
            for (String line : s.explanation()) {
                j.value(line);
            }
            j.endArray().name("chunks").beginArray();
            // each chunk as [address, size, state, label]: a timeline has steps × chunks of them
            for (HtmlModel.ChunkBox c : s.chunks()) {
                j.beginArray().value(Hex.of(c.address())).value(c.size()).value(c.state()).value(c.label()).endArray();
            }
            // bins as [name, [chunk, …]] pairs: the order is part of the data
            j.endArray().name("bins").beginArray();
            for (Map.Entry<String, List<String>> b : s.bins().entrySet()) {
                j.beginArray().value(b.getKey()).beginArray();
                for (String a : b.getValue()) {
                    j.value(a);
                }
                j.endArray().endArray();
            }
            j.endArray().name("brk").value(Hex.of(s.brk())).endObject();
        }
        j.endArray()
                .name("stdout").value(model.stdout())
                .name("stderr").value(model.stderr())
                .name("outputNote").value(model.outputNote())
                .endObject();
        return sb.toString();
    }


    static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String template() {
        try (InputStream in = HtmlRenderer.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
