package io.mallocscope.cli;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.timeline.Checkpoints;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * #10 item 4: the views read a timeline in memory that does not grow with its events. A timeline of
 * two million events (what a 500,000-op replay records) is opened by a forked JVM with a heap far
 * smaller than its events would take in memory; the HTML page that cannot fit is refused in one line
 * and leaves no file. (By hand: a 14.5M-event timeline from the samples' replay of scripts/bench-replay.sh's
 * trace opens in every view under -Xmx256m.)
 */
class LargeTimelineMemoryTest {
    static final int PAIRS = 500_000;
    static final String XMX = "-Xmx40m";

    @TempDir
    static Path dir;
    static Path timeline;
    static long last;
    static long lastSize;
    /** The block of the middle pair (its malloc is step PAIRS + 1, its free step PAIRS + 2). */
    static long middle;

    /** malloc/free pairs of sizes 0x20..0x410, recorded with their real results (and no transitions). */
    @BeforeAll
    static void record() throws IOException {
        CProcess p = CProcess.create(ProcessOptions.defaults().withStdout(OutputStream.nullOutputStream())
                .withStderr(OutputStream.nullOutputStream()));
        LibC c = p.libc();
        Map<String, String> h = new LinkedHashMap<>();
        h.put(TimelineHeader.GLIBC, "2.36");
        h.put(TimelineHeader.PROGRAM, "churn");
        h.put(TimelineHeader.HEAP_START, "0x" + Long.toHexString(p.kernel().startBrk()));
        timeline = dir.resolve("churn.timeline");
        try (TimelineWriter w = TimelineWriter.open(timeline, TimelineHeader.of(h), 60_000, msg -> {
            throw new AssertionError(msg);
        })) {
            for (int i = 0; i < PAIRS; i++) {
                long size = 0x18 + (i % 64) * 0x10;
                w.call(Functions.MALLOC, 0, size, 0, 0, 0, 0, 0);
                long m = c.malloc(size);
                w.ret(Functions.MALLOC, m);
                w.call(Functions.FREE, 0, m, 0, 0, 0, 0, 0);
                c.free(m);
                w.ret(Functions.FREE, 0);
                if (i == PAIRS / 2) {
                    middle = m;
                }
                last = m;
                lastSize = (size + 8 + 15) & ~15L;
            }
        }
        assertThat(Files.size(timeline)).isGreaterThan(4_000_000);
    }

    record Run(int status, String out, String err) {
    }

    static Run cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Home.java().toString(), XMX, "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int status = p.waitFor();
        return new Run(status, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void theLastStateOfTwoMillionEventsIsRebuiltInASmallHeap() throws Exception {
        // #16 point 4: the first view of a long timeline writes its checkpoints in the same small heap, and says so
        Path side = Checkpoints.sideFile(timeline);
        Files.deleteIfExists(side);
        Run first = cli("heap", timeline.toString());
        assertThat(first.err()).isEqualTo("mallocscope: wrote " + side + " (" + 2 * PAIRS / Checkpoints.DEFAULT_EVERY
                + " checkpoints, one every " + Checkpoints.DEFAULT_EVERY + " steps): views of any step of churn.timeline "
                + "now start from the nearest one\n");
        assertThat(side).isRegularFile();
        Run r = cli("heap", timeline.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(first.out());
        assertThat(r.status()).isZero();
        // the last free put its chunk into its tcache bin
        assertThat(r.out()).contains("Free chunk (tcachebins) | PREV_INUSE\nAddr: 0x" + Long.toHexString(last - 16)
                + "\nSize: 0x" + Long.toHexString(lastSize) + " (with flag bits: 0x" + Long.toHexString(lastSize + 1)
                + ")\n");
    }

    /**
     * #16 point 5: every state view of a step in the middle, far from the start and from the end, runs in
     * the same small heap with the side file, and shows the heap of that step.
     */
    @Test
    void everyViewOfAMiddleStepRunsInASmallHeap() throws Exception {
        if (!Files.isRegularFile(Checkpoints.sideFile(timeline))) {
            assertThat(cli("bins", timeline.toString(), "--at", "1").status()).isZero(); // writes it
        }
        String freed = Integer.toString(PAIRS + 2);
        String hex = "0x" + Long.toHexString(middle);
        Map<String, Run> runs = new LinkedHashMap<>();
        for (String view : List.of("heap", "bins", "vis", "maps", "arenas")) {
            runs.put(view, cli(view, timeline.toString(), "--at", freed));
        }
        runs.put("diff", cli("diff", timeline.toString(), "--at", Integer.toString(PAIRS + 1), "--to", freed));
        runs.forEach((view, r) -> {
            assertThat(r.err()).as(view).isEmpty();
            assertThat(r.status()).as(view).isZero();
        });
        // the middle pair's free put its block into its tcache bin
        assertThat(runs.get("bins").out()).contains(hex);
        assertThat(runs.get("vis").out()).contains("0x" + Long.toHexString(middle - 16) + "\t").contains("tcachebins[");
        assertThat(runs.get("heap").out()).contains("Free chunk (tcachebins) | PREV_INUSE\nAddr: 0x"
                + Long.toHexString(middle - 16) + "\n");
        assertThat(runs.get("maps").out()).contains("[heap]");
        assertThat(runs.get("arenas").out()).contains("main_arena");
        assertThat(runs.get("diff").out()).contains(Long.toHexString(middle - 16));
    }

    @Test
    void everyEventStreamsAsJsonLines() throws Exception {
        Run r = cli("timeline", timeline.toString(), "--format", "jsonl");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(1 + 4 * PAIRS);
        assertThat(lines.get(0)).startsWith("{\"kind\":\"header\",").contains("\"events\":" + 4 * PAIRS);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("{\"seq\":" + (4 * PAIRS - 1)
                + ",\"kind\":\"return\",\"depth\":0,\"fn\":\"free\"}");
    }

    @Test
    void aPageThatCannotFitIsRefusedInOneLineAndLeavesNoFile() throws Exception {
        Path page = dir.resolve("churn.html");
        Run r = cli("timeline", timeline.toString(), "--format", "html", "--max-steps", "1000000", "--out",
                page.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).startsWith("mallocscope: --format html: a page of 1000000 steps with this heap (")
                .contains("MiB this JVM can spare for it; about ").doesNotContain("\tat ");
        assertThat(page).doesNotExist();
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aPageThatFitsIsWritten() throws Exception {
        Path page = dir.resolve("first-100.html");
        Run r = cli("timeline", timeline.toString(), "--format", "html", "--max-steps", "100", "--out",
                page.toString());
        assertThat(r.err()).isEqualTo("mallocscope: wrote " + page + "\n");
        assertThat(r.status()).isZero();
        assertThat(Files.readString(page)).contains("\"number\":100,").doesNotContain("\"number\":101,");
    }
}
