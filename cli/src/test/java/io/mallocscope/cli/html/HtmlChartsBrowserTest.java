package io.mallocscope.cli.html;

import io.mallocscope.cli.Main;
import io.mallocscope.cli.testing.MiniJson;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.plot.HeapSeries;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.testing.MiniJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * #15's page in headless Chromium, made by {@code mallocscope timeline TRACE --format html} itself: the
 * charts (uPlot, inlined) carry {@code plot}'s numbers, a red cursor stands at the current step and a
 * click on a chart jumps there; chunks are drawn with widths from their sizes; a bin's fd/bk links are
 * drawn as arrows; the output panel shows what was printed up to the step. A screenshot is checked for
 * its main regions: where they lie, and their colours at points the page decides (not pixel for pixel).
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class HtmlChartsBrowserTest {
    static final Path OUT = HtmlBrowserTest.OUT;
    static final String ARROW_RIGHT = HtmlBrowserTest.ARROW_RIGHT;

    /** Three 0x420 chunks freed into the unsorted bin between guards (a doubly linked list of three), an mmapped block, tcache frees. */
    static final String TRACE = String.join("\n", "a 0 1048", "a 1 24", "a 2 1048", "a 3 24", "a 4 1048", "a 5 24",
            "f 0", "f 2", "f 4", "a 6 200000", "a 7 40", "a 8 40", "f 7", "f 8", "");
    static final int UNSORTED_STEP = 9;

    private HeadlessChromium browser;
    private String skipReason;
    private Path rep;
    private Path page;

    @BeforeAll
    void startBrowser() throws IOException, InterruptedException {
        skipReason = HeadlessChromium.missing();
        if (skipReason != null) {
            System.out.println("HtmlChartsBrowserTest: " + skipReason);
            return;
        }
        var chromium = HeadlessChromium.findChromium();
        var driver = HeadlessChromium.findChromedriver();
        Files.createDirectories(OUT);
        rep = OUT.resolve("charts-demo.rep");
        Files.writeString(rep, TRACE);
        page = OUT.resolve("charts-demo.html").toAbsolutePath();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute("timeline", rep.toString(), "--format", "html", "--out", page.toString());
        assertThat(status).as(err.toString()).isZero();
        browser = HeadlessChromium.start(chromium.get(), driver.get(), OUT, 1280, 1400);
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void chartsCursorClickChunkWidthsLinksOutputAndTheScreenshotsRegions() throws Exception {
        Assumptions.assumeTrue(browser != null, skipReason);
        browser.navigate(page.toUri());
        int last = ((Number) js("return JSON.parse(document.getElementById('mallocscope-data').textContent)"
                + ".steps.length - 1;")).intValue();
        assertThat(last).isEqualTo(14);

        // the charts hold plot's numbers for the same trace, step by step
        HeapSeries expected = HeapSeries.of(Sources.open(rep, new Sources.ReplaySettings("2.36", "")), last);
        Map<String, Object> charts = MiniJson.object(js(
                "return JSON.parse(document.getElementById('mallocscope-data').textContent).charts;"));
        assertThat(charts.get("heap")).isEqualTo(longs(expected.heap));
        assertThat(charts.get("live")).isEqualTo(longs(expected.live));
        assertThat(charts.get("mmapped")).isEqualTo(longs(expected.mmapped));
        assertThat(charts.get("free")).isEqualTo(List.of(
                List.of("tcachebins", longs(expected.free.get(BinType.TCACHE))),
                List.of("fastbins", longs(expected.free.get(BinType.FASTBIN))),
                List.of("unsortedbin", longs(expected.free.get(BinType.UNSORTED))),
                List.of("smallbins", longs(expected.free.get(BinType.SMALLBIN))),
                List.of("largebins", longs(expected.free.get(BinType.LARGEBIN)))));
        assertThat(MiniJson.array(charts.get("mmapped")).get(10)).isEqualTo(0x31000L);
        assertThat(MiniJson.array(MiniJson.array(MiniJson.array(charts.get("free")).get(2)).get(1)).get(UNSORTED_STEP))
                .isEqualTo(3 * 0x420L);
        Map<String, Object> drawn = MiniJson.object(js("return {"
                + " shown: !document.getElementById('charts').hidden,"
                + " plots: document.querySelectorAll('#charts .uplot').length,"
                + " heapSeries: document.getElementById('chart-heap').dataset.series,"
                + " freeSeries: document.getElementById('chart-free').dataset.series,"
                + " summary: document.getElementById('charts-summary').textContent };"));
        assertThat(drawn).containsEntry("shown", true).containsEntry("plots", 2L)
                .containsEntry("heapSeries", "heap size,mmapped,live requested")
                .containsEntry("freeSeries", "tcachebins,fastbins,unsortedbin,smallbins,largebins");
        assertThat((String) drawn.get("summary")).isEqualTo(String.format(
                "peak live 0x%x / peak heap 0x%x = %.2f%% peak utilisation", expected.peakLive, expected.peakHeap,
                100.0 * expected.peakLive / expected.peakHeap));

        for (int k = 0; k < last; k++) {
            browser.pressKey(ARROW_RIGHT);
        }
        assertThat(HtmlBrowserTest.state(browser)).containsEntry("label", "step 14 / 14");
        assertThat(js("return document.querySelector('#chart-heap .uplot').dataset.cursor;")).isEqualTo("14");

        // a click on a chart's point jumps to its step; the cursor follows
        Map<String, Object> over = rect("#chart-free .u-over");
        browser.click(xOfStep(over, UNSORTED_STEP, last), number(over, "top") + number(over, "height") / 2);
        assertThat(HtmlBrowserTest.state(browser)).containsEntry("label", "step 9 / 14");
        assertThat(js("return document.querySelector('#chart-heap .uplot').dataset.cursor;")).isEqualTo("9");

        // chunks: width from the size, 10 px × √(size / 16), at least 22 px
        List<Object> boxes = MiniJson.array(js("return Array.prototype.map.call(document.querySelectorAll('#strip .chunk'),"
                + " function (e) { return [e.dataset.address, e.getBoundingClientRect().width]; });"));
        List<Object> chunks = MiniJson.array(MiniJson.object(MiniJson.array(MiniJson.object(MiniJson.parse(
                (String) js("return document.getElementById('mallocscope-data').textContent;"))).get("steps"))
                .get(UNSORTED_STEP)).get("chunks"));
        double stripWidth = number(rect("#strip"), "width");
        assertThat(boxes).hasSameSizeAs(chunks);
        for (int i = 0; i < chunks.size(); i++) {
            long size = (Long) MiniJson.array(chunks.get(i)).get(1);
            double want = Math.min(stripWidth, Math.max(22, Math.round(10 * Math.sqrt(size / 16.0))));
            assertThat(number(MiniJson.array(boxes.get(i)), 1)).as("width of a chunk of 0x%x", size)
                    .isCloseTo(want, org.assertj.core.data.Offset.offset(1.0));
        }

        // the unsorted bin's links: fd from each chunk to the next above the strip, bk back below it
        List<Object> bins = HtmlBrowserTest.state(browser).get("bins") instanceof List<?> l ? new ArrayList<>(l) : List.of();
        assertThat(bins).hasSize(1);
        List<String> chain = List.of(((String) bins.get(0)).substring("unsortedbin ".length()).split(" \u2192 "));
        assertThat(chain).hasSize(3);
        assertThat(js("return document.querySelectorAll('#links').length;")).isEqualTo(0L);
        js("document.querySelector('#bins-body tr.bin').click();");
        List<Object> links = MiniJson.array(js("return Array.prototype.map.call(document.querySelectorAll('#links path'),"
                + " function (p) { return [p.getAttribute('class'), p.dataset.from, p.dataset.to]; });"));
        assertThat(links).containsExactly(
                List.of("fd", chain.get(0), chain.get(1)), List.of("bk", chain.get(1), chain.get(0)),
                List.of("fd", chain.get(1), chain.get(2)), List.of("bk", chain.get(2), chain.get(1)));
        assertThat(js("return document.querySelector('#bins-body tr.bin').classList.contains('selected');"))
                .isEqualTo(true);

        // the screenshot: regions where the layout puts them, colours where the page decides them
        BufferedImage shot = ImageIO.read(new ByteArrayInputStream(
                Files.readAllBytes(HtmlBrowserTest.screenshot(browser, "charts-demo-step9.png"))));
        assertThat(shot.getWidth()).isEqualTo(1280);
        Map<String, Object> header = rect("header");
        Map<String, Object> current = rect("#current");
        Map<String, Object> chartsBox = rect("#charts");
        Map<String, Object> heap = rect("#heap");
        Map<String, Object> binsBox = rect("#bins");
        Map<String, Object> output = rect("#output");
        assertThat(bottom(header)).isLessThanOrEqualTo(number(current, "top"));
        assertThat(bottom(current)).isLessThanOrEqualTo(number(chartsBox, "top"));
        assertThat(bottom(chartsBox)).isLessThanOrEqualTo(number(heap, "top"));
        assertThat(bottom(heap)).isLessThanOrEqualTo(number(output, "top"));
        assertThat(number(binsBox, "left")).isGreaterThanOrEqualTo(right(heap));
        assertThat(bottom(heap)).as("the heap is in the screenshot").isLessThan(shot.getHeight());
        // the header is dark, the sections white
        assertColour(shot, number(header, "left") + 4, number(header, "top") + 4, 0x1d2330);
        for (Map<String, Object> section : List.of(current, chartsBox, heap, binsBox)) {
            assertColour(shot, number(section, "left") + 6, bottom(section) - 6, 0xffffff);
        }
        // each chunk box in its state's colour (below its text)
        List<Object> painted = MiniJson.array(js("return Array.prototype.map.call(document.querySelectorAll('#strip .chunk'),"
                + " function (e) { var r = e.getBoundingClientRect(); return [e.dataset.state, r.left + r.width / 2, r.bottom - 3]; });"));
        Map<String, Integer> colours = Map.of("in_use", 0xa9b4c2, "unsorted", 0xb07aa1, "top", 0xedc948, "mmapped", 0x4e79a7);
        for (Object p : painted) {
            List<Object> b = MiniJson.array(p);
            assertColour(shot, number(b, 1), number(b, 2), colours.get((String) b.get(0)));
        }
        assertThat(painted).extracting(p -> MiniJson.array(p).get(0)).contains("unsorted", "in_use", "top");
        // the charts drew their series: the heap size's blue, the unsorted bin's purple
        assertThat(count(shot, rect("#chart-heap"), 0x4e79a7)).isGreaterThan(100);
        assertThat(count(shot, rect("#chart-free"), 0xb07aa1)).isGreaterThan(50);
        // the red cursor stands at step 9 in both charts, nowhere near step 0
        for (String chart : List.of("#chart-heap .u-over", "#chart-free .u-over")) {
            Map<String, Object> o = rect(chart);
            double mid = number(o, "top") + number(o, "height") / 2;
            assertThat(redNear(shot, xOfStep(o, UNSORTED_STEP, last), mid)).as("cursor of " + chart).isTrue();
            assertThat(redNear(shot, xOfStep(o, 0, last) + 6, mid)).isFalse();
        }
        // the links: bk's red dashes below the boxes
        Map<String, Object> strip = rect("#strip");
        assertThat(count(shot, strip, 0xc0392b)).isGreaterThan(20);
    }

    @Test
    void theOutputPanelShowsWhatWasPrintedUpToTheStep() throws Exception {
        Assumptions.assumeTrue(browser != null, skipReason);
        Path timeline = OUT.resolve("printing.timeline");
        io.mallocscope.runtime.CProcess p = io.mallocscope.runtime.CProcess.create(
                io.mallocscope.runtime.ProcessOptions.defaults().withProgramName("printing")
                        .withStdout(java.io.OutputStream.nullOutputStream())
                        .withStderr(java.io.OutputStream.nullOutputStream()));
        var h = io.mallocscope.runtime.timeline.TimelineHeader.of(Map.of(
                io.mallocscope.runtime.timeline.TimelineHeader.GLIBC, "2.36",
                io.mallocscope.runtime.timeline.TimelineHeader.PROGRAM, "printing",
                io.mallocscope.runtime.timeline.TimelineHeader.RECORD, "calls+output"));
        try (var w = io.mallocscope.runtime.timeline.TimelineWriter.open(timeline, h, 60_000, m -> {
            throw new AssertionError(m);
        })) {
            say(w, 2, "before any call\n");
            w.call(io.mallocscope.runtime.timeline.Functions.MALLOC, 0, 0x18, 0, 0, 0, 0, 0);
            long a = p.libc().malloc(0x18);
            w.ret(io.mallocscope.runtime.timeline.Functions.MALLOC, a);
            say(w, 1, "a = heap\n");
            w.call(io.mallocscope.runtime.timeline.Functions.FREE, 0, a, 0, 0, 0, 0, 0);
            p.libc().free(a);
            w.ret(io.mallocscope.runtime.timeline.Functions.FREE, 0);
            say(w, 2, "freed ä\n");
        }
        Path html = OUT.resolve("printing.html").toAbsolutePath();
        assertThat(Main.commandLine().execute("timeline", timeline.toString(), "--format", "html", "--out",
                html.toString())).isZero();
        browser.navigate(html.toUri());
        assertThat(HtmlBrowserTest.state(browser)).containsEntry("label", "step 0 / 2")
                .containsEntry("stdout", "(nothing)").containsEntry("stderr", "before any call\n");
        browser.pressKey(ARROW_RIGHT);
        assertThat(HtmlBrowserTest.state(browser)).containsEntry("stdout", "a = heap\n")
                .containsEntry("stderr", "before any call\n");
        browser.pressKey(ARROW_RIGHT);
        assertThat(HtmlBrowserTest.state(browser)).containsEntry("stdout", "a = heap\n")
                .containsEntry("stderr", "before any call\nfreed ä\n");
        browser.pressKey(HtmlBrowserTest.HOME);
        assertThat(HtmlBrowserTest.state(browser)).containsEntry("stdout", "(nothing)");
    }

    private static void say(io.mallocscope.runtime.timeline.TimelineWriter w, int stream, String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        w.output(stream, b, 0, b.length);
    }

    private Object js(String script) throws IOException, InterruptedException {
        return browser.execute(script);
    }

    private Map<String, Object> rect(String selector) throws IOException, InterruptedException {
        return MiniJson.object(js("var r = document.querySelector('" + selector + "').getBoundingClientRect();"
                + " return {left: r.left, top: r.top, width: r.width, height: r.height};"));
    }

    private static double number(Map<String, Object> m, String k) {
        return ((Number) m.get(k)).doubleValue();
    }

    private static double number(List<Object> l, int i) {
        return ((Number) l.get(i)).doubleValue();
    }

    private static double bottom(Map<String, Object> r) {
        return number(r, "top") + number(r, "height");
    }

    private static double right(Map<String, Object> r) {
        return number(r, "left") + number(r, "width");
    }

    /** Where a step lies across a chart's plotting area (uPlot's x scale runs from the first step to the last). */
    private static double xOfStep(Map<String, Object> over, int step, int last) {
        return number(over, "left") + number(over, "width") * step / last;
    }

    private static List<Long> longs(long[] a) {
        List<Long> out = new ArrayList<>();
        for (long v : a) {
            out.add(v);
        }
        return out;
    }

    private static void assertColour(BufferedImage img, double x, double y, int rgb) {
        int got = img.getRGB((int) Math.round(x), (int) Math.round(y)) & 0xffffff;
        assertThat(close(got, rgb, 14)).as("colour at (%d, %d): #%06x, expected #%06x", Math.round(x), Math.round(y),
                got, rgb).isTrue();
    }

    private static boolean close(int a, int b, int tolerance) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs((a >> shift & 0xff) - (b >> shift & 0xff)) > tolerance) {
                return false;
            }
        }
        return true;
    }

    /** How many pixels of the region are within a small distance of {@code rgb}. */
    private static int count(BufferedImage img, Map<String, Object> r, int rgb) {
        int n = 0;
        int x0 = (int) number(r, "left");
        int y0 = (int) number(r, "top");
        for (int y = Math.max(0, y0); y < Math.min(img.getHeight(), y0 + (int) number(r, "height")); y++) {
            for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x0 + (int) number(r, "width")); x++) {
                if (close(img.getRGB(x, y) & 0xffffff, rgb, 10)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Whether the cursor's red (#d62728) is within 3 px of {@code x} on the row {@code y}. */
    private static boolean redNear(BufferedImage img, double x, double y) {
        for (int dx = -3; dx <= 3; dx++) {
            int px = (int) Math.round(x) + dx;
            if (px >= 0 && px < img.getWidth() && close(img.getRGB(px, (int) y) & 0xffffff, 0xd62728, 24)) {
                return true;
            }
        }
        return false;
    }
}
