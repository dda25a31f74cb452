package io.mallocscope.cli;

import io.mallocscope.cli.testing.RecordedFirstFit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code timeline FILE --format jsonl} keeps the JSON Lines contract (docs/timeline-format.md): the header
 * line first, then every event with increasing {@code seq}; a selection still starts with the header.
 */
class TimelineJsonlCommandTest {
    @TempDir
    static Path dir;
    static Path timeline;

    @BeforeAll
    static void record() throws IOException {
        timeline = dir.resolve("first-fit.timeline");
        RecordedFirstFit.record(timeline);
    }

    @Test
    void unfilteredPrintsTheHeaderAndEveryEvent() {
        CliRun.Result r = run("timeline", timeline.toString(), "--format", "jsonl");
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("{\"kind\":\"header\",\"version\":")
                .contains("\"heap_start\":\"0x555555559000\"").contains("\"events\":21,\"steps\":4");
        assertThat(lines).hasSize(1 + 21);
        for (int i = 1; i < lines.size(); i++) {
            assertThat(lines.get(i)).startsWith("{\"seq\":" + (i - 1) + ",");
        }
        // the program's write between calls 2 and 3 is an event like any other
        assertThat(lines.get(11)).isEqualTo("{\"seq\":10,\"kind\":\"write\",\"depth\":0,\"addr\":\"0x5555555592a0\","
                + "\"len\":11,\"bytes\":\"7468697320697320412100\"}");
    }

    @Test
    void aSelectionStillStartsWithTheHeader() {
        CliRun.Result r = run("timeline", timeline.toString(), "--format", "jsonl", "--from", "3", "--to", "3");
        assertThat(r.status()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("{\"kind\":\"header\",").contains("\"heap_start\":\"0x555555559000\"");
        assertThat(lines.subList(1, lines.size())).containsExactly(
                "{\"seq\":11,\"kind\":\"call\",\"depth\":0,\"fn\":\"free\",\"args\":[\"0x5555555592a0\"],"
                        + "\"site\":\"FirstFit.java:44\"}",
                "{\"seq\":12,\"kind\":\"bin_insert\",\"depth\":1,\"chunk\":\"0x555555559290\",\"size\":1312,"
                        + "\"bin\":\"unsorted\",\"index\":1,\"reason\":\"free\"}",
                "{\"seq\":13,\"kind\":\"return\",\"depth\":0,\"fn\":\"free\"}");
    }

    @Test
    void aFunctionFilterKeepsTheHeaderAndOnlyThoseCalls() {
        CliRun.Result r = run("timeline", timeline.toString(), "--format", "jsonl", "--fn", "free");
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("{\"kind\":\"header\",");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith("{\"seq\":11,\"kind\":\"call\"");
    }
}
