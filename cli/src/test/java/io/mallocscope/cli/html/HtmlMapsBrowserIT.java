package io.mallocscope.cli.html;

import io.mallocscope.cli.testing.MiniJson;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.mallocscope.cli.html.HtmlBrowserIT.mallocscope;
import static io.mallocscope.cli.html.HtmlBrowserTest.OUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * #12: the page shows each process's memory maps at the step, with the file offset of every mapping and,
 * for a file the program mapped, its pages' state; a recording with a forked child has one section per
 * process, headed by its pid. The samples are recorded with the agent ({@code mallocscope run}), the pages
 * written by {@code timeline --format html} and read in headless Chromium. Skipped when the reactor's jars
 * or chromium/chromedriver are missing (see {@link HtmlBrowserTest}).
 */
@Tag("browser")
@Timeout(240)
class HtmlMapsBrowserIT {
    @Test
    void theMapsOfEachProcessWithTheirFileMappings() throws Exception {
        var chromium = HeadlessChromium.findChromium();
        var driver = HeadlessChromium.findChromedriver();
        assumeTrue(chromium.isPresent() && driver.isPresent(), "needs chromium and chromedriver");
        Files.createDirectories(OUT);
        Path shared = page("file-mapped-shared");
        Path fork = page("fork-shared-memory");
        try (HeadlessChromium browser = HeadlessChromium.start(chromium.get(), driver.get(), OUT, 1280, 900)) {
            // file-mapped-shared after step 3: the store through the MAP_SHARED mapping has dirtied its page
            browser.navigate(URI.create(shared.toUri() + "#step=3"));
            Map<String, Object> s3 = maps(browser);
            assertThat(s3).containsEntry("shown", true).containsEntry("summary", "pid 2 (the program)")
                    .containsEntry("headings", List.of());
            List<Object> rows = rows(s3, 0);
            assertThat(rows).contains("7ffff7dcf000-7ffff7dd0000 rw-s 00000000 4.0K /tmp/notes.txt "
                    + "file at 0x0, shared: 1 page dirty", "7ffff7f4e000-7ffff7fa6000 r--p 0017c000 352K "
                    + "/usr/lib/x86_64-linux-gnu/libc.so.6 ", "555555559000-55555557a000 rw-p 00000000 132K [heap] ");
            assertThat(s3.get("fileRows")).isEqualTo(List.of("/tmp/notes.txt"));
            // after step 4 msync has written it back
            browser.navigate(URI.create(shared.toUri() + "#step=4"));
            assertThat(rows(maps(browser), 0))
                    .contains("7ffff7dcf000-7ffff7dd0000 rw-s 00000000 4.0K /tmp/notes.txt file at 0x0, shared: clean");

            // fork-shared-memory after step 5: parent and child, each its own section, sharing the page
            browser.navigate(fork.toUri());
            browser.navigate(URI.create(fork.toUri() + "#step=5"));
            Map<String, Object> f5 = maps(browser);
            assertThat(f5).containsEntry("summary", "2 processes")
                    .containsEntry("headings", List.of("pid 2 (the program)", "pid 3 (child of 2)"))
                    .containsEntry("pids", List.of("2", "3"));
            String row = "7ffff7dcf000-7ffff7dd0000 rw-s 00000000 4.0K /dev/zero (deleted) shared memory: 1 page dirty";
            assertThat(rows(f5, 0)).contains(row);
            assertThat(rows(f5, 1)).contains(row);
            HtmlBrowserTest.screenshot(browser, "fork-shared-memory-maps-step5.png");
            // before the fork: one process
            browser.navigate(URI.create(fork.toUri() + "#step=3"));
            assertThat(maps(browser)).containsEntry("summary", "pid 2 (the program)");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> rows(Map<String, Object> maps, int process) {
        return (List<Object>) ((List<Object>) maps.get("rows")).get(process);
    }

    /** Records {@code sample} with the agent and writes its page; the page's path. */
    private static Path page(String sample) {
        Path timeline = OUT.resolve(sample + "-maps.timeline");
        Path page = OUT.resolve(sample + "-maps.html").toAbsolutePath();
        String[] recorded = mallocscope("run", "--view", "none", "--out", timeline.toString(), sample);
        assumeTrue(recorded[0].equals("0") && Files.isRegularFile(timeline),
                "could not record " + sample + " with the agent (jars not built?): " + recorded[2]);
        String[] exported = mallocscope("timeline", timeline.toString(), "--format", "html", "--out", page.toString());
        assertThat(exported[0]).as(exported[2]).isEqualTo("0");
        return page;
    }

    /** The maps panel as the page shows it: each process's heading and rows (cells joined by spaces). */
    private static Map<String, Object> maps(HeadlessChromium browser) throws Exception {
        Object v = browser.execute(String.join("\n",
                "var q = function (s, n) { return Array.prototype.slice.call((n || document).querySelectorAll(s)); };",
                "var sections = q('#maps-body > div');",
                "return {",
                "  shown: !document.getElementById('maps').hidden,",
                "  summary: document.getElementById('maps-summary').textContent,",
                "  headings: q('#maps-body h3').map(function (e) { return e.textContent; }),",
                "  pids: sections.map(function (e) { return e.dataset.pid; }),",
                "  fileRows: q('#maps-body tr.file').map(function (r) { return r.cells[4].textContent; }),",
                "  rows: sections.map(function (s) { return q('tr', s).map(function (r) {",
                "    return Array.prototype.map.call(r.cells, function (d) { return d.textContent; }).join(' '); }); })",
                "};"));
        return MiniJson.object(v);
    }
}
