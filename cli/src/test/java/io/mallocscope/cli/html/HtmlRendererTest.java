package io.mallocscope.cli.html;

import io.mallocscope.cli.testing.MiniJson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlRendererTest {
    private final String page = Fixtures.render(Fixtures.tcacheReuse());

    @Test
    void isOneCompletePageWithItsDataFilledIn() {
        assertThat(page).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(page).doesNotContain(HtmlRenderer.DATA_PLACEHOLDER, HtmlRenderer.TITLE_PLACEHOLDER);
        assertThat(count(page, "<html")).isEqualTo(1);
        assertThat(count(page, "</html>")).isEqualTo(1);
        assertThat(page).contains("<title>Demo &lt;script&gt;</title>");
    }

    @Test
    void referencesNothingOutsideTheFile() {
        assertThat(page).doesNotContainPattern("(?i)https?:");
        assertThat(page).doesNotContainPattern("(?i)<(link|img|iframe|object|embed)\\b");
        assertThat(page).doesNotContainPattern("(?i)<script[^>]*\\bsrc=");
        assertThat(page).doesNotContainPattern("(?i)@import|url\\(");
        assertThat(page).doesNotContainPattern("(?i)\\bfetch\\(|XMLHttpRequest|innerHTML|outerHTML|insertAdjacentHTML"
                + "|document\\.write");
    }

    @Test
    void programTextCannotEndTheDataScriptOrAddMarkup() {
        // the template has exactly three script elements (uPlot, the data, the page's own); program text must
        // not open or close any
        assertThat(count(page, "<script")).isEqualTo(3);
        assertThat(count(page, "</script>")).isEqualTo(3);
        assertThat(page).doesNotContain("<script>alert", "<img src=x", "<b>not bold", "<!-- x");
        assertThat(page).contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e");
        assertThat(page).doesNotContain("\u2028", "\u2029");
    }

    @Test
    void uPlotIsInlinedWholeFromItsWebJarWithItsLicence() throws Exception {
        String dir = "/META-INF/resources/webjars/uplot/1.6.30/";
        String js = resource(dir + "dist/uPlot.iife.min.js");
        String css = resource(dir + "dist/uPlot.min.css");
        // the library's code as the web jar ships it, after its one-line banner
        assertThat(page).contains(js.substring(js.indexOf("*/") + 2).strip());
        assertThat(page).contains("<style>" + css + "</style>");
        assertThat(page).contains("uPlot 1.6.30 (leeoniya/uPlot on GitHub), inlined from its web jar under its licence:",
                "Copyright (c) 2022 Leon Sorokin", "THE SOFTWARE IS PROVIDED \"AS IS\"");
    }

    private static String resource(String name) throws java.io.IOException {
        try (var in = HtmlRendererTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void embeddedJsonRoundTripsSpecialCharacters() {
        String tricky = "quote\" backslash\\ nl\n cr\r tab\t nul\u0000 del\u007f ls\u2028 ps\u2029 amp& lt< gt> "
                + "é 漢 \uD83D\uDE00 </script> <!--";
        HtmlModel m = new HtmlModel(tricky, new HtmlModel.Header(tricky, "2.36", "glibc.malloc.tcache_count=0", 0),
                List.of(new HtmlModel.Step(0, tricky, tricky, List.of(tricky), List.of(), Map.of(tricky, List.of(tricky)),
                        0)), tricky, tricky);
        String json = HtmlRenderer.json(m);
        assertThat(json).doesNotContain("<", ">", "&", "\u2028", "\u2029", "\u0000", "\n");

        Map<String, Object> o = MiniJson.object(MiniJson.parse(json));
        assertThat(o.get("title")).isEqualTo(tricky);
        assertThat(o.get("stdout")).isEqualTo(tricky);
        assertThat(MiniJson.object(o.get("header")).get("program")).isEqualTo(tricky);
        Map<String, Object> step = MiniJson.object(MiniJson.array(o.get("steps")).get(0));
        assertThat(step.get("op")).isEqualTo(tricky);
        assertThat(step.get("explanation")).isEqualTo(List.of(tricky));
        assertThat(step.get("bins")).isEqualTo(List.of(List.of(tricky, List.of(tricky))));
    }

    /** #12: each process's maps go in once per distinct table; a step names [pid, label, table] per process. */
    @Test
    void mapsAreSharedTablesThatStepsNameByIndex() {
        HtmlModel.MapRow heap = new HtmlModel.MapRow(0x555555559000L, 0x55555557a000L, "rw-p", 0, "[heap]", "");
        HtmlModel.MapRow file = new HtmlModel.MapRow(0x7ffff7dcf000L, 0x7ffff7dd0000L, "rw-s", 0x1000, "/tmp/f",
                "file at 0x1000, shared: 1 page dirty");
        HtmlModel.ProcessMaps before = new HtmlModel.ProcessMaps(2, "pid 2 (the program)", List.of(heap));
        HtmlModel.ProcessMaps after = new HtmlModel.ProcessMaps(2, "pid 2 (the program)", List.of(heap, file));
        HtmlModel.ProcessMaps child = new HtmlModel.ProcessMaps(3, "pid 3 (child of 2)", List.of(heap, file));
        HtmlModel m = new HtmlModel("t", new HtmlModel.Header("t", "2.36", "", 0), List.of(
                new HtmlModel.Step(0, "start", "", List.of(), List.of(), Map.of(), 0, List.of(before)),
                new HtmlModel.Step(1, "mmap", "", List.of(), List.of(), Map.of(), 0, List.of(before)),
                new HtmlModel.Step(2, "mmap", "", List.of(), List.of(), Map.of(), 0, List.of(after)),
                new HtmlModel.Step(3, "fork", "", List.of(), List.of(), Map.of(), 0, List.of(after, child))), "", "");
        Map<String, Object> o = MiniJson.object(MiniJson.parse(HtmlRenderer.json(m)));
        List<Object> steps = MiniJson.array(o.get("steps"));
        assertThat(MiniJson.object(steps.get(1)).get("maps")).isEqualTo(List.of(List.of(2L, "pid 2 (the program)", 0L)));
        assertThat(MiniJson.object(steps.get(3)).get("maps")).isEqualTo(List.of(List.of(2L, "pid 2 (the program)", 1L),
                List.of(3L, "pid 3 (child of 2)", 1L)));
        assertThat(o.get("mapsTables")).isEqualTo(List.of(
                List.of(List.of("0x555555559000", "0x55555557a000", "rw-p", "0x0", "[heap]", "")),
                List.of(List.of("0x555555559000", "0x55555557a000", "rw-p", "0x0", "[heap]", ""),
                        List.of("0x7ffff7dcf000", "0x7ffff7dd0000", "rw-s", "0x1000", "/tmp/f",
                                "file at 0x1000, shared: 1 page dirty"))));
    }

    @Test
    void jsonCarriesAddressesAsHexAndBinsInOrder() {
        Map<String, Object> o = MiniJson.object(MiniJson.parse(dataOf(page)));
        assertThat(MiniJson.object(o.get("header")).get("heapStart")).isEqualTo("0x555555559000");
        List<Object> steps = MiniJson.array(o.get("steps"));
        assertThat(steps).hasSize(4);
        Map<String, Object> free = MiniJson.object(steps.get(2));
        assertThat(free.get("number")).isEqualTo(2L);
        assertThat(free.get("op")).isEqualTo("free(0x5555555592a0)");
        assertThat(free.get("brk")).isEqualTo("0x55555557a000");
        assertThat(free.get("bins")).isEqualTo(List.of(List.of("tcachebins[0x20]", List.of("0x555555559290"))));
        assertThat(MiniJson.array(free.get("chunks")).get(1)).isEqualTo(List.of("0x555555559290", 0x20L, "tcache", "a"));
        assertThat(o.get("stdout")).isEqualTo(Fixtures.HOSTILE_STDOUT);
    }

    @Test
    void modelRejectsUnknownStatesAndEmptyTimelines() {
        assertThatThrownBy(() -> new HtmlModel.ChunkBox(0, 0x20, "freed", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown chunk state 'freed'");
        assertThatThrownBy(() -> new HtmlModel("t", new HtmlModel.Header("p", "2.36", "", 0), List.of(), "", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least step 0");
    }

    /** The text of the data script element, as the page's JavaScript reads it. */
    static String dataOf(String page) {
        Matcher m = Pattern.compile("<script id=\"mallocscope-data\" type=\"application/json\">(.*?)</script>",
                Pattern.DOTALL).matcher(page);
        assertThat(m.find()).as("data script present").isTrue();
        return m.group(1);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
