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
    static final String UPLOT_CSS_PLACEHOLDER = "@UPLOT_CSS@";
    static final String UPLOT_JS_PLACEHOLDER = "@UPLOT_JS@";

    private HtmlRenderer() {
    }

    /** Writes the page for {@code model} to {@code out} (the writer is flushed, not closed). */
    public static void render(HtmlModel model, Writer out) throws IOException {
        String template = template();
        UPlot u = UPlot.load();
        // the placeholders in the order they stand in the template; each value goes in as it is
        String[][] fills = {
                {TITLE_PLACEHOLDER, null},
                {UPLOT_CSS_PLACEHOLDER, null},
                {UPLOT_JS_PLACEHOLDER, null},
                {DATA_PLACEHOLDER, null}};
        int from = 0;
        for (String[] f : fills) {
            int at = template.indexOf(f[0], from);
            if (at < 0) {
                throw new IllegalStateException(TEMPLATE + " lacks its placeholder " + f[0] + " (in order)");
            }
            out.write(template, from, at - from);
            switch (f[0]) {
                case UPLOT_CSS_PLACEHOLDER -> out.write(u.css());
                case TITLE_PLACEHOLDER -> out.write(escapeHtml(model.title()));
                case UPLOT_JS_PLACEHOLDER -> out.write(u.script());
                default -> out.write(json(model));
            }
            from = at + f[0].length();
        }
        out.write(template.substring(from));
        out.flush();
    }

    /**
     * uPlot (MIT licence) from its web jar on the classpath: the stylesheet, and the script preceded by its
     * licence in a comment, so the page is one file that draws its charts offline.
     */
    record UPlot(String css, String script) {
        private static final String JAR = "META-INF/resources/webjars/uplot/";
        private static final String POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";
        private static UPlot loaded;

        static synchronized UPlot load() throws IOException {
            if (loaded == null) {
                java.util.Properties pom = new java.util.Properties();
                pom.load(new java.io.StringReader(resource(POM)));
                String dir = "/" + JAR + pom.getProperty("version") + "/";
                String licence = resource(dir + "LICENSE").replace("--", "- -");
                String js = resource(dir + "dist/uPlot.iife.min.js");
                if (js.toLowerCase(java.util.Locale.ROOT).contains("</script")) {
                    throw new IllegalStateException("uPlot's script holds </script: it cannot be inlined");
                }
                // its one-line banner names the project's address; the page names no address, so say it in words
                if (js.startsWith("/*!")) {
                    js = js.substring(js.indexOf("*/") + 2).stripLeading();
                }
                loaded = new UPlot(resource(dir + "dist/uPlot.min.css"), "/* uPlot " + pom.getProperty("version")
                        + " (leeoniya/uPlot on GitHub), inlined from its web jar under its licence:\n"
                        + licence.replace("*/", "* /") + "*/\n" + js);
            }
            return loaded;
        }

        private static String resource(String name) throws IOException {
            try (InputStream in = HtmlRenderer.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException(name + " is missing from the classpath (the uPlot web jar)");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
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
        // each process's maps as an index into "mapsTables": consecutive steps mostly share them
        java.util.Map<List<HtmlModel.MapRow>, Integer> tables = new java.util.LinkedHashMap<>();
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
            j.endArray().name("brk").value(Hex.of(s.brk()));
            // maps as [pid, label, table] triples, the program first
            j.name("maps").beginArray();
            for (HtmlModel.ProcessMaps m : s.maps()) {
                int table = tables.computeIfAbsent(m.rows(), k -> tables.size());
                j.beginArray().value(m.pid()).value(m.label()).value(table).endArray();
            }
            j.endArray().endObject();
        }
        j.endArray();
        // each table's mappings as [start, end, perms, offset, name, what]
        j.name("mapsTables").beginArray();
        for (List<HtmlModel.MapRow> rows : tables.keySet()) {
            j.beginArray();
            for (HtmlModel.MapRow r : rows) {
                j.beginArray().value(Hex.of(r.start())).value(Hex.of(r.end())).value(r.perms()).value(Hex.of(r.offset()))
                        .value(r.name()).value(r.what()).endArray();
            }
            j.endArray();
        }
        j.endArray()
                .name("stdout").value(model.stdout())
                .name("stderr").value(model.stderr())
                .name("outputNote").value(model.outputNote());
        ends(j, "stdoutEnds", model.stdoutEnds());
        ends(j, "stderrEnds", model.stderrEnds());
        HtmlModel.Charts c = model.charts();
        if (c != null) {
            j.name("charts").beginObject();
            numbers(j.name("heap"), c.heap());
            numbers(j.name("mmapped"), c.mmapped());
            numbers(j.name("live"), c.live());
            j.name("free").beginArray();
            for (Map.Entry<String, long[]> f : c.free().entrySet()) {
                j.beginArray().value(f.getKey());
                numbers(j, f.getValue());
                j.endArray();
            }
            j.endArray().name("peakLive").value(c.peakLive()).name("peakHeap").value(c.peakHeap()).endObject();
        }
        j.endObject();
        return sb.toString();
    }


    private static void ends(Json j, String name, List<Integer> ends) {
        j.name(name).beginArray();
        for (int e : ends) {
            j.value(e);
        }
        j.endArray();
    }

    /** Byte counts as JSON numbers: exact in JavaScript up to 2^53, far above any heap here. */
    private static void numbers(Json j, long[] values) {
        j.beginArray();
        for (long v : values) {
            j.value(v);
        }
        j.endArray();
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
