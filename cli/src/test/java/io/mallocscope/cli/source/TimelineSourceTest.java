package io.mallocscope.cli.source;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.render.BinsTextRenderer;
import io.mallocscope.cli.render.HeapRenderer;
import io.mallocscope.cli.render.SnapshotRenderer;
import io.mallocscope.cli.render.Style;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.cli.testing.TimeTravel;
import io.mallocscope.runtime.timeline.Checkpoints;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A timeline written with the timeline package's own writer while a real process ran (the calls the
 * agent would record, without their transitions), read back through {@link Sources}.
 */
class TimelineSourceTest {
    static final int CALLS = 30_000;
    static final Sources.ReplaySettings ANY = new Sources.ReplaySettings("2.36", "");
    @TempDir
    static Path dir;
    static Path file;
    static CProcess live;
    static String liveEnd;

    @BeforeAll
    static void record() throws IOException {
        file = dir.resolve("synthetic.timeline");
        live = CProcess.create(ProcessOptions.defaults().withProgramName("synthetic")
                .withStdout(OutputStream.nullOutputStream()).withStderr(OutputStream.nullOutputStream()));
        LibC c = live.libc();
        TimelineHeader h = TimelineHeader.of(Map.of(TimelineHeader.GLIBC, "2.36", TimelineHeader.PROGRAM, "synthetic"));
        List<Long> held = new ArrayList<>();
        try (TimelineWriter w = TimelineWriter.open(file, h, 60_000, msg -> { throw new AssertionError(msg); })) {
            w.defineSite(1, "Synthetic.java:1");
            for (int i = 0; i < CALLS; i++) {
                if (i % 3 == 2) {
                    long p = held.remove(held.size() / 2);
                    w.call(Functions.FREE, 1, p, 0, 0, 0, 0, 0);
                    c.free(p);
                    w.ret(Functions.FREE, 0);
                } else {
                    long size = 24 + (i * 37L) % 1500;
                    w.call(Functions.MALLOC, 1, size, 0, 0, 0, 0, 0);
                    long p = c.malloc(size);
                    w.ret(Functions.MALLOC, p);
                    held.add(p);
                }
            }
        }
        liveEnd = render(HeapViews.snapshot(CALLS, live));
    }

    static String render(HeapSnapshot s) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        for (SnapshotRenderer r : new SnapshotRenderer[] {new HeapRenderer(), new BinsTextRenderer()}) {
            r.render(s, pw, Style.PLAIN);
        }
        pw.flush();
        return sw.toString();
    }

    @Test
    void theRebuiltEndStateIsTheStateTheProcessEndedIn() {
        StateSource s = Sources.open(file, ANY);
        assertThat(s.steps()).isEqualTo(CALLS);
        assertThat(s.damage()).isEmpty();
        assertThat(render(s.at(CALLS))).isEqualTo(liveEnd);
    }

    @Test
    void callsAreNumberedWithTheirSite() {
        StateSource s = Sources.open(file, ANY);
        assertThat(s.ops().get(0).call()).isEqualTo("malloc(0x18)");
        assertThat(s.ops().get(0).result()).isEqualTo("0x5555555592a0");
        assertThat(s.ops().get(0).site()).isEqualTo("Synthetic.java:1");
        assertThat(s.ops().get(2).function()).isEqualTo("free");
    }

    @Test
    void forwardThenBackShowsTheEarlierStateExactly() {
        StateSource walked = Sources.open(file, ANY);
        String late = render(walked.at(20_000));
        String back = render(walked.at(19_999));
        String direct = render(Sources.open(file, ANY).at(19_999));
        assertThat(back).isEqualTo(direct).isNotEqualTo(late);
    }

    @Test
    void viewsRestoredFromCheckpointsAreTheViewsRebuiltFromStepZero() throws IOException {
        Path copy = dir.resolve("travel.timeline");
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(TimeTravel.viewsMatchFromZero(copy, 1024, 10, 16)).isEqualTo(CALLS / 1024);
    }

    @Test
    void aDamagedCheckpointIsSaidOnceAndTheViewIsRebuiltFromStepZero() throws IOException {
        Path copy = dir.resolve("damaged.timeline");
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Timeline.read(copy).writeCheckpoints(copy, 512);
        Path side = Checkpoints.sideFile(copy);
        byte[] b = Files.readAllBytes(side);
        b[100] ^= 0x55; // inside the first checkpoint
        Files.write(side, b);
        StateSource s = Sources.open(copy, ANY);
        List<String> notes = new ArrayList<>();
        s.noteTo(notes::add);
        String at600 = render(s.at(600));
        String at700 = render(s.at(700));
        assertThat(notes).containsExactly("warning: checkpoint 0 of " + side + " fails its checksum; rebuilt from step 0 instead");
        StateSource plain = Sources.open(file, ANY);
        assertThat(at600).isEqualTo(render(plain.at(600)));
        assertThat(at700).isEqualTo(render(plain.at(700)));
    }

    @Test
    void aViewThatReadsLessGetsTheSameStateWithoutTheRest() {
        StateSource s = Sources.open(file, ANY);
        StateSource other = Sources.open(file, ANY);
        for (int step : new int[] {0, 1, 4_321, CALLS}) {
            HeapSnapshot all = s.at(step);
            HeapSnapshot noBytes = other.at(step, Focus.DEFAULT, Detail.NO_BYTES);
            assertThat(noBytes.chunks()).isEqualTo(all.chunks());
            assertThat(noBytes.bins()).isEqualTo(all.bins());
            assertThat(noBytes.params()).isEqualTo(all.params());
            assertThat(render(noBytes)).isEqualTo(render(all));
            HeapSnapshot maps = other.at(step, Focus.DEFAULT, Detail.MAPS);
            assertThat(maps.chunks()).isEmpty(); // no chunk walk
            assertThat(maps.maps()).isEqualTo(all.maps());
            assertThat(maps.brk()).isEqualTo(all.brk());
            assertThat(maps.mmapped()).isEqualTo(all.mmapped());
            assertThat(renderMaps(maps)).isEqualTo(renderMaps(all));
            if (step > 0) {
                assertThat(renderMaps(maps)).contains("heap (brk " + io.mallocscope.runtime.text.Hex.of(all.brk()) + ")");
            }
        }
    }

    static String renderMaps(HeapSnapshot s) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        new io.mallocscope.cli.render.MapsRenderer().render(s, pw, Style.PLAIN);
        pw.flush();
        return sw.toString();
    }

    @Test
    void aTruncatedTimelineKeepsItsReadablePrefixAndSaysWhereItStops() throws IOException {
        byte[] all = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.timeline");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        StateSource s = Sources.open(cut, ANY);
        assertThat(s.steps()).isBetween(1, CALLS - 1);
        assertThat(s.damage()).get().asString().startsWith("the timeline is readable only up to step " + s.steps() + ": ");
        // the readable prefix rebuilds to real states
        assertThat(render(s.at(s.steps()))).contains("Top chunk");
    }
}
