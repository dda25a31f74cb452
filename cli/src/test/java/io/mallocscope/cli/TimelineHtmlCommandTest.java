package io.mallocscope.cli;

import io.mallocscope.cli.testing.RecordedFirstFit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.mallocscope.cli.CliRun.run;
import static io.mallocscope.cli.CliRun.trace;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code timeline --format html} on a timeline recorded in-process and on a trace, and its option errors. */
class TimelineHtmlCommandTest {
    @TempDir
    static Path dir;
    static Path timeline;

    @BeforeAll
    static void record() throws IOException {
        timeline = dir.resolve("first-fit.timeline");
        RecordedFirstFit.record(timeline);
    }

    @Test
    void aRecordedTimelineBecomesAPageWithOneStepPerCall() throws IOException {
        Path page = dir.resolve("first-fit.html");
        CliRun.Result r = run("timeline", timeline.toString(), "--format", "html", "--out", page.toString());
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEqualTo("mallocscope: wrote " + page + "\n");
        String html = Files.readString(page);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>first-fit</title>")
                .contains("\"op\":\"malloc(0x512) = 0x5555555592a0\",\"site\":\"FirstFit.java:33\"")
                .contains("\"explanation\":[\"unsortedbin: put 0x555555559290 (#1) (0x520) [free]\"]")
                .contains("\"outputNote\":\"(program output is not recorded in timelines)\"");
        assertThat(html.split("\"number\":", -1)).hasSize(1 + 5);
    }

    @Test
    void maxStepsCutsARecordedTimelineAndATrace() {
        CliRun.Result r = run("timeline", timeline.toString(), "--format", "html", "--max-steps", "3");
        assertThat(r.status()).isZero();
        assertThat(r.out().split("\"number\":", -1)).hasSize(1 + 4);
        assertThat(r.out()).contains("The timeline goes on for 1 more call, not shown here (the page shows the first 3;");

        CliRun.Result t = run("timeline", trace("worked-brief-example"), "--format", "html", "--max-steps", "2");
        assertThat(t.status()).isZero();
        assertThat(t.out().split("\"number\":", -1)).hasSize(1 + 3);
        assertThat(t.out()).contains("The trace goes on for 7 more operations, not shown here")
                .doesNotContain("\"outputNote\":\"(program");
    }

    @Test
    void selectionsAndStepCountsThatDoNotApplyAreUsageErrors() {
        CliRun.Result from = run("timeline", timeline.toString(), "--format", "html", "--from", "2");
        assertThat(from.status()).isEqualTo(2);
        assertThat(from.err()).contains("--format html shows every call from step 0 (up to --max-steps); --from, --to,"
                + " --fn and --chunk apply to text, jsonl and chrome").doesNotContain("\tat ");
        CliRun.Result zero = run("timeline", timeline.toString(), "--format", "html", "--max-steps", "0");
        assertThat(zero.status()).isEqualTo(2);
        assertThat(zero.err()).contains("--max-steps 0: must be at least 1");
        CliRun.Result text = run("timeline", timeline.toString(), "--max-steps", "5");
        assertThat(text.status()).isEqualTo(2);
        assertThat(text.err()).contains("--max-steps applies to --format html only");
    }
}
