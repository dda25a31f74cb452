package io.mallocscope.cli.html;

import io.mallocscope.cli.Main;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.mallocscope.cli.html.HtmlBrowserTest.ARROW_RIGHT;
import static io.mallocscope.cli.html.HtmlBrowserTest.END;
import static io.mallocscope.cli.html.HtmlBrowserTest.OUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole way, as a user goes: {@code mallocscope run first-fit} records the sample with the agent in a
 * forked JVM, {@code mallocscope timeline --format html} writes the page, headless Chromium steps through
 * it. Skipped when the reactor's jars or chromium/chromedriver are missing (see {@link HtmlBrowserTest}).
 */
@Tag("browser")
@Timeout(180)
class HtmlBrowserIT {
    @Test
    void theAgentsRecordingOfFirstFitSteppedInChromium() throws Exception {
        var chromium = HeadlessChromium.findChromium();
        var driver = HeadlessChromium.findChromedriver();
        assumeTrue(chromium.isPresent() && driver.isPresent(), "needs chromium and chromedriver");
        Files.createDirectories(OUT);
        Path timeline = OUT.resolve("first-fit-agent.timeline");
        Path page = OUT.resolve("first-fit-agent.html").toAbsolutePath();
        String[] recorded = mallocscope("run", "--view", "none", "--out", timeline.toString(), "first-fit");
        assumeTrue(recorded[0].equals("0") && Files.isRegularFile(timeline),
                "could not record first-fit with the agent (jars not built?): " + recorded[2]);
        String[] exported = mallocscope("timeline", timeline.toString(), "--format", "html", "--out", page.toString());
        assertThat(exported[0]).isEqualTo("0");
        assertThat(exported[2]).isEqualTo("mallocscope: wrote " + page + "\n");

        StateSource s = Sources.open(timeline, new Sources.ReplaySettings("2.36", ""));
        HtmlModel model = HtmlModels.fromTimeline(s.timeline().orElseThrow(), s.ops(), "first-fit-agent.timeline",
                HtmlModels.DEFAULT_MAX_OPERATIONS);
        assertThat(model.steps()).hasSize(s.timeline().orElseThrow().steps() + 1).hasSize(5);

        long t0 = System.nanoTime();
        try (HeadlessChromium browser = HeadlessChromium.start(chromium.get(), driver.get(), OUT, 1280, 900)) {
            browser.navigate(page.toUri());
            Map<String, Object> s0 = HtmlBrowserTest.state(browser);
            assertThat(s0).containsEntry("label", "step 0 / 4").containsEntry("calls", 5L)
                    .containsEntry("outputNoteShown", false);
            // the output panel shows what the program had printed by the step: at step 0, before the first malloc
            assertThat((String) s0.get("stderr")).as("the recorded output, shown as printed up to step 0")
                    .startsWith("This file doesn't demonstrate an attack, but shows the nature of glibc's allocator.\n")
                    .doesNotContain("3rd allocation");
            browser.pressKey(ARROW_RIGHT);
            Map<String, Object> s1 = HtmlBrowserTest.state(browser);
            assertThat(s1).containsEntry("label", "step 1 / 4").containsEntry("op", "malloc(0x512) = 0x5555555592a0")
                    .containsEntry("site", "at " + model.steps().get(1).site());
            assertThat((String) s1.get("site")).startsWith("at FirstFit.java:");
            assertThat(s1.get("explanation")).isEqualTo(model.steps().get(1).explanation());
            assertThat(s1.get("explanation")).asInstanceOf(InstanceOfAssertFactories.LIST).startsWith("kernel: sbrk(0x21000) = 0x555555559000");
            browser.pressKey(ARROW_RIGHT);
            browser.pressKey(ARROW_RIGHT);
            Map<String, Object> s3 = HtmlBrowserTest.state(browser);
            assertThat(s3).containsEntry("op", "free(0x5555555592a0)");
            assertThat(s3.get("explanation")).isEqualTo(List.of("unsortedbin: put 0x555555559290 (#1) (0x520) [free]"));
            assertThat(s3.get("bins")).isEqualTo(List.of("unsortedbin 0x555555559290"));
            browser.pressKey(END);
            Map<String, Object> s4 = HtmlBrowserTest.state(browser);
            assertThat((String) s4.get("stderr")).as("after the last call: everything it printed")
                    .startsWith("This file doesn't demonstrate an attack, but shows the nature of glibc's allocator.\n")
                    .contains("3rd allocation 0x5555555592a0 points to this is C!");
            assertThat(s4).containsEntry("label", "step 4 / 4").containsEntry("op", "malloc(0x1fa) = 0x5555555592a0");
            assertThat(s4.get("states")).isEqualTo(List.of("in_use", "in_use", "unsorted", "in_use", "top"));
            assertThat(s4.get("bins")).isEqualTo(List.of("unsortedbin 0x5555555594a0"));
            Path shot = HtmlBrowserTest.screenshot(browser, "first-fit-agent-step4.png");
            System.out.printf("HtmlBrowserIT: the agent's first-fit recording stepped, screenshot %s in %d ms%n", shot,
                    HtmlBrowserTest.ms(t0));
        }
    }

    /** Runs the command line; returns {status, stdout, stderr}. */
    static String[] mallocscope(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new String[] {String.valueOf(status), out.toString(), err.toString()};
    }
}
