package io.mallocscope.cli.html;

import io.mallocscope.cli.testing.MiniJson;

import static org.assertj.core.api.Assertions.assertThat;

import io.mallocscope.cli.testing.RecordedFirstFit;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Opens generated pages in headless Chromium (through chromedriver) from file://, steps through them with
 * the keyboard, the slider and the call list, and checks the DOM; screenshots go to
 * {@code target/html-browser-test/}. Skipped, with a message, when chromium or chromedriver is missing
 * (Debian: {@code apt-get install chromium chromium-driver}; {@code .ci/run} installs them).
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class HtmlBrowserTest {
    static final Path OUT = Path.of("target", "html-browser-test");
    static final String ARROW_RIGHT = "\uE014";
    static final String ARROW_LEFT = "\uE012";
    static final String HOME = "\uE011";
    static final String END = "\uE010";

    /** tcache put/get, a fastbin overflow, and a freed large block coalescing in the unsorted bin. */
    static final String TRACE = String.join("\n", "a 0 24", "a 1 24", "a 2 40", "a 3 1048", "a 4 1048", "a 5 24",
            "f 0", "f 1", "f 2", "f 3", "f 4", "a 6 200000", "a 7 24", "a 8 2000", "f 6", "a 9 48", "a 10 64", "f 9", "f 10", "a 11 48", "f 7", "");

    private HeadlessChromium browser;
    private String skipReason;

    @BeforeAll
    void startBrowser() throws IOException, InterruptedException {
        skipReason = HeadlessChromium.missing();
        if (skipReason != null) {
            // reported per test (an assumption failing in @BeforeAll leaves no trace in surefire's report)
            System.out.println("HtmlBrowserTest: " + skipReason);
            return;
        }
        var chromium = HeadlessChromium.findChromium();
        var driver = HeadlessChromium.findChromedriver();
        Files.createDirectories(OUT);
        long t0 = System.nanoTime();
        browser = HeadlessChromium.start(chromium.get(), driver.get(), OUT, 1280, 900);
        System.out.printf("HtmlBrowserTest: chromedriver + chromium session started in %d ms%n", ms(t0));
    }

    @BeforeEach
    void needsBrowser() {
        Assumptions.assumeTrue(browser != null, skipReason);
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void stepsWithKeysSliderAndCallListAndShowsProgramTextLiterally() throws Exception {
        HtmlModel model = Fixtures.tcacheReuse();
        long t0 = System.nanoTime();
        open(model, "fixture.html");

        Map<String, Object> s0 = state();
        assertThat(s0).containsEntry("label", "step 0 / 3").containsEntry("op", "start").containsEntry("chunks", 0L)
                .containsEntry("current", 0L).containsEntry("calls", 4L);
        // program text is shown as text: no element was made from it, the page has only its own three scripts
        assertThat(s0).containsEntry("stdout", Fixtures.HOSTILE_STDOUT).containsEntry("stderr", "warning: </script>")
                .containsEntry("scripts", 3L).containsEntry("images", 0L).containsEntry("title", "Demo <script>");

        browser.pressKey(ARROW_RIGHT);
        Map<String, Object> s1 = state();
        assertThat(s1).containsEntry("label", "step 1 / 3").containsEntry("op", "malloc(0x18) = 0x5555555592a0")
                .containsEntry("slider", "1").containsEntry("current", 1L)
                .containsEntry("chunks", (long) model.steps().get(1).chunks().size());
        assertThat(s1.get("states")).isEqualTo(List.of("in_use", "in_use", "top"));
        assertThat(s1.get("explanation")).isEqualTo(model.steps().get(1).explanation());
        assertThat((String) s1.get("strip")).contains(Fixtures.HOSTILE_LABEL);
        assertThat(s1).containsEntry("images", 0L);

        // the slider, as a user drags it
        browser.execute("var s = document.getElementById('slider'); s.value = '2';"
                + " s.dispatchEvent(new Event('input', {bubbles: true}));");
        Map<String, Object> s2 = state();
        assertThat(s2).containsEntry("label", "step 2 / 3").containsEntry("op", "free(0x5555555592a0)");
        assertThat(s2.get("states")).isEqualTo(List.of("in_use", "tcache", "top"));
        assertThat(s2.get("bins")).isEqualTo(List.of("tcachebins[0x20] 0x555555559290"));
        assertThat(s2.get("changed")).isEqualTo(List.of("0x555555559290"));
        Path shot = screenshot("fixture-step2.png");

        browser.pressKey(END);
        assertThat(state()).containsEntry("label", "step 3 / 3").containsEntry("bins", List.of("all bins empty"));
        browser.pressKey(ARROW_RIGHT);
        assertThat(state()).containsEntry("label", "step 3 / 3");
        browser.pressKey(ARROW_LEFT);
        assertThat(state()).containsEntry("label", "step 2 / 3");
        browser.pressKey(HOME);
        assertThat(state()).containsEntry("label", "step 0 / 3");
        browser.execute("document.querySelectorAll('#ops-list li')[1].click();");
        assertThat(state()).containsEntry("label", "step 1 / 3").containsEntry("current", 1L);
        // a link to a step opens there, and stepping keeps the link current
        browser.navigate(OUT.resolve("fixture.html").toAbsolutePath().toUri().resolve("#step=2"));
        assertThat(state()).containsEntry("label", "step 2 / 3").containsEntry("hash", "#step=2");
        browser.pressKey(ARROW_RIGHT);
        assertThat(state()).containsEntry("label", "step 3 / 3").containsEntry("hash", "#step=3");
        System.out.printf("HtmlBrowserTest: fixture page loaded, stepped 8 times, deep-linked, screenshot %s in %d ms%n", shot,
                ms(t0));
    }

    @Test
    void aReplayedTraceIsDrawnChunkForChunk() throws Exception {
        Path rep = OUT.resolve("browser-demo.rep");
        Files.writeString(rep, TRACE);
        HtmlModel model = Fixtures.trace(rep, null, HtmlModels.DEFAULT_MAX_OPERATIONS);
        long t0 = System.nanoTime();
        open(model, "browser-demo.html");
        int last = model.steps().size() - 1;
        assertThat(state()).containsEntry("label", "step 0 / " + last);
        for (int k = 1; k <= 11; k++) {
            browser.pressKey(ARROW_RIGHT);
        }
        Map<String, Object> s = state();
        HtmlModel.Step step = model.steps().get(11);
        assertThat(s).containsEntry("label", "step 11 / " + last).containsEntry("op", "free(0x555555559730)")
                .containsEntry("chunks", (long) step.chunks().size());
        assertThat(s.get("states")).isEqualTo(step.chunks().stream().map(HtmlModel.ChunkBox::state).toList());
        assertThat(s.get("states")).asInstanceOf(InstanceOfAssertFactories.LIST).contains("tcache", "unsorted", "top");
        assertThat(s.get("addresses")).isEqualTo(step.chunks().stream().map(c -> "0x" + Long.toHexString(c.address()))
                .toList());
        assertThat(s.get("bins")).asInstanceOf(InstanceOfAssertFactories.LIST).contains("tcachebins[0x20] 0x5555555592b0 \u2192 0x555555559290");
        screenshot("browser-demo-step11.png");

        browser.pressKey(END);
        Map<String, Object> end = state();
        assertThat(end).containsEntry("label", "step " + last + " / " + last)
                .containsEntry("op", model.steps().get(last).op()).containsEntry("calls", (long) last + 1);
        // the call list scrolled itself to show the current call; the page did not move
        assertThat(end).containsEntry("pageScrollY", 0L).containsEntry("currentCallVisible", true);
        assertThat((Long) end.get("callListScrollTop")).isPositive();
        System.out.printf("HtmlBrowserTest: replayed-trace page (%d steps) checked in %d ms%n", last + 1, ms(t0));
    }

    @Test
    void aRecordedTimelineIsSteppedCallByCall() throws Exception {
        var source = RecordedFirstFit.record(OUT.resolve("first-fit.timeline"));
        HtmlModel model = HtmlModels.fromTimeline(source.timeline().orElseThrow(), source.ops(), "first-fit.timeline",
                HtmlModels.DEFAULT_MAX_OPERATIONS);
        long t0 = System.nanoTime();
        open(model, "first-fit-recorded.html");

        Map<String, Object> s0 = state();
        assertThat(s0).containsEntry("label", "step 0 / 4").containsEntry("op", "start").containsEntry("chunks", 0L)
                .containsEntry("calls", 5L).containsEntry("title", "first-fit")
                .containsEntry("outputNote", "(program output is not recorded in timelines)")
                .containsEntry("outputNoteShown", true).containsEntry("stdoutShown", false)
                .containsEntry("stderrShown", false);

        browser.pressKey(ARROW_RIGHT);
        Map<String, Object> s1 = state();
        assertThat(s1).containsEntry("label", "step 1 / 4").containsEntry("op", "malloc(0x512) = 0x5555555592a0")
                .containsEntry("site", "at FirstFit.java:33");
        assertThat(s1.get("explanation")).isEqualTo(model.steps().get(1).explanation());
        assertThat(s1.get("explanation")).asInstanceOf(InstanceOfAssertFactories.LIST).contains(
                "top: split 0x290 off for the tcache (tcache_perthread_struct), top now 0x555555559290 size 0x20d70");
        assertThat(s1.get("states")).isEqualTo(List.of("in_use", "in_use", "top"));

        browser.pressKey(ARROW_RIGHT);
        browser.pressKey(ARROW_RIGHT);
        Map<String, Object> s3 = state();
        assertThat(s3).containsEntry("label", "step 3 / 4").containsEntry("op", "free(0x5555555592a0)")
                .containsEntry("site", "at FirstFit.java:44");
        assertThat(s3.get("explanation")).isEqualTo(List.of("unsortedbin: put 0x555555559290 (#1) (0x520) [free]"));
        assertThat(s3.get("states")).isEqualTo(List.of("in_use", "unsorted", "in_use", "top"));
        assertThat(s3.get("bins")).isEqualTo(List.of("unsortedbin 0x555555559290"));
        assertThat(s3.get("changed")).isEqualTo(List.of("0x555555559290"));
        Path shot3 = screenshot("first-fit-recorded-step3.png");

        browser.pressKey(END);
        Map<String, Object> s4 = state();
        assertThat(s4).containsEntry("label", "step 4 / 4").containsEntry("op", "malloc(0x1fa) = 0x5555555592a0");
        assertThat(s4.get("explanation")).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactly(
                "unsortedbin: 0x555555559290 (#1) (0x520) moved to largebins[0x500-0x530]",
                "largebins[0x500-0x530]: took 0x555555559290 (#1) (0x520) [binmap scan]",
                "split 0x555555559290 (#1): 0x210 used, remainder 0x5555555594a0 size 0x310",
                "unsortedbin: put 0x5555555594a0 (0x310) [split]");
        assertThat(s4.get("states")).isEqualTo(List.of("in_use", "in_use", "unsorted", "in_use", "top"));
        assertThat(s4.get("addresses")).isEqualTo(List.of("0x555555559000", "0x555555559290", "0x5555555594a0",
                "0x5555555597b0", "0x555555559a10"));
        assertThat(s4.get("bins")).isEqualTo(List.of("unsortedbin 0x5555555594a0"));
        assertThat((String) s4.get("strip")).contains("tcache struct").contains("#4").contains("#2");
        assertThat((String) s4.get("summary")).isEqualTo("5 chunks (3 in use, 2 free)  brk 0x55555557a000");
        Path shot4 = screenshot("first-fit-recorded-step4.png");
        System.out.printf("HtmlBrowserTest: recorded first-fit page stepped, screenshots %s %s in %d ms%n", shot3,
                shot4, ms(t0));
    }

    private void open(HtmlModel model, String name) throws IOException, InterruptedException {
        Path file = OUT.resolve(name).toAbsolutePath();
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            HtmlRenderer.render(model, w);
        }
        browser.navigate(file.toUri());
    }

    private Map<String, Object> state() throws IOException, InterruptedException {
        return state(browser);
    }

    private Path screenshot(String name) throws IOException, InterruptedException {
        return screenshot(browser, name);
    }

    /** What the page shows now, read from the DOM. */
    static Map<String, Object> state(HeadlessChromium browser) throws IOException, InterruptedException {
        Object v = browser.execute(String.join("\n",
                "var q = function (s) { return Array.prototype.slice.call(document.querySelectorAll(s)); };",
                "var items = q('#ops-list li');",
                "return {",
                "  label: document.getElementById('step-label').textContent,",
                "  op: document.getElementById('op').textContent,",
                "  site: document.getElementById('site').textContent,",
                "  summary: document.getElementById('heap-summary').textContent,",
                "  outputNote: document.getElementById('output-note').textContent,",
                "  outputNoteShown: !document.getElementById('output-note').hidden,",
                "  stdoutShown: !document.getElementById('stdout').hidden,",
                "  stderrShown: !document.getElementById('stderr').hidden,",
                "  slider: document.getElementById('slider').value,",
                "  explanation: q('#explanation li').map(function (e) { return e.textContent; }),",
                "  chunks: q('#strip .chunk').length,",
                "  states: q('#strip .chunk').map(function (e) { return e.dataset.state; }),",
                "  addresses: q('#strip .chunk').map(function (e) { return e.dataset.address; }),",
                "  changed: q('#strip .chunk.changed').map(function (e) { return e.dataset.address; }),",
                "  strip: document.getElementById('strip').textContent,",
                "  bins: q('#bins-body tr').map(function (r) {",
                "    return Array.prototype.map.call(r.cells, function (d) { return d.textContent; }).join(' '); }),",
                "  current: items.findIndex(function (e) { return e.classList.contains('current'); }),",
                "  calls: items.length,",
                "  stdout: document.getElementById('stdout').textContent,",
                "  stderr: document.getElementById('stderr').textContent,",
                "  scripts: q('script').length,",
                "  images: q('img').length,",
                "  title: document.title,",
                "  hash: location.hash,",
                "  pageScrollY: Math.round(window.scrollY),",
                "  callListScrollTop: Math.round(document.getElementById('ops-list').scrollTop),",
                "  currentCallVisible: (function () { var l = document.getElementById('ops-list'),"
                        + " c = l.querySelector('li.current'); return !!c && c.offsetTop >= l.scrollTop"
                        + " && c.offsetTop + c.offsetHeight <= l.scrollTop + l.clientHeight; })()",
                "};"));
        return MiniJson.object(v);
    }

    /** Saves what the browser shows as {@code OUT/name}, after checking it is a real PNG. */
    static Path screenshot(HeadlessChromium browser, String name) throws IOException, InterruptedException {
        byte[] png = browser.screenshot();
        assertThat(Arrays.copyOf(png, 8)).as("PNG signature")
                .isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        assertThat(png.length).as("screenshot size").isGreaterThan(20_000);
        Path file = OUT.resolve(name);
        Files.write(file, png);
        return file;
    }

    static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
