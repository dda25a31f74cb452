package io.mallocscope.cli.testing;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.render.BinsTextRenderer;
import io.mallocscope.cli.render.DiffRenderer;
import io.mallocscope.cli.render.HeapRenderer;
import io.mallocscope.cli.render.MapsRenderer;
import io.mallocscope.cli.render.SnapshotRenderer;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.VisRenderer;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.timeline.Checkpoints;
import io.mallocscope.runtime.timeline.Timeline;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * #16 point 4's property at the level of the views: {@code heap}, {@code bins}, {@code vis}, {@code maps}
 * and {@code diff} of a timeline print the same whether its states are restored from checkpoints (a
 * side file written every {@code every} steps) or rebuilt from step 0 (a copy without one), at every
 * step or a random sample of them, visited in a random order (forward and backward).
 */
public final class TimeTravel {
    private static final List<SnapshotRenderer> VIEWS = List.of(new HeapRenderer(), new BinsTextRenderer(),
            new VisRenderer(0), new MapsRenderer());

    private TimeTravel() {
    }

    /** Checks {@code timeline} (a file in a writable directory); returns how many checkpoints it got. */
    public static int viewsMatchFromZero(Path timeline, int every, int samples, long seed) throws IOException {
        Path plain = timeline.resolveSibling("from-zero-" + timeline.getFileName());
        Files.copy(timeline, plain, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(Checkpoints.sideFile(plain));
        Timeline t = Timeline.read(timeline);
        int n = t.writeCheckpoints(timeline, every);
        Sources.ReplaySettings settings = new Sources.ReplaySettings("2.36", "");
        StateSource fast = Sources.open(timeline, settings);
        StateSource slow = Sources.open(plain, settings);
        List<String> notes = new ArrayList<>();
        fast.noteTo(notes::add);
        assertThat(fast.steps()).isEqualTo(slow.steps());
        List<Integer> steps = new ArrayList<>();
        Random rnd = new Random(seed);
        if (samples >= fast.steps() + 1) {
            for (int s = 0; s <= fast.steps(); s++) {
                steps.add(s);
            }
            java.util.Collections.shuffle(steps, rnd);
        } else {
            for (int i = 0; i < samples; i++) {
                steps.add(rnd.nextInt(fast.steps() + 1));
            }
        }
        int before = 0;
        for (int step : steps) {
            assertThat(views(fast.at(step))).as("the views at step %d of %s", step, timeline.getFileName())
                    .isEqualTo(views(slow.at(step)));
            assertThat(diff(fast.at(before), fast.at(step))).as("diff %d..%d", before, step)
                    .isEqualTo(diff(slow.at(before), slow.at(step)));
            before = step;
        }
        assertThat(notes).as("nothing to say about the side file").isEmpty();
        Files.delete(plain);
        return n;
    }

    private static String views(HeapSnapshot s) {
        StringWriter w = new StringWriter();
        PrintWriter out = new PrintWriter(w);
        for (SnapshotRenderer r : VIEWS) {
            r.render(s, out, Style.PLAIN);
        }
        out.flush();
        return w.toString();
    }

    private static String diff(HeapSnapshot a, HeapSnapshot b) {
        StringWriter w = new StringWriter();
        PrintWriter out = new PrintWriter(w);
        new DiffRenderer().render(a, b, out, Style.PLAIN);
        out.flush();
        return w.toString();
    }
}
