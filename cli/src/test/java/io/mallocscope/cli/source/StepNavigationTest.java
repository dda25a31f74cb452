package io.mallocscope.cli.source;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.render.BinsTextRenderer;
import io.mallocscope.cli.render.HeapRenderer;
import io.mallocscope.cli.render.SnapshotRenderer;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.VisRenderer;
import io.mallocscope.cli.testing.RuntimeTraces;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Going forward then back shows the earlier state exactly as going there directly does. */
class StepNavigationTest {
    static final Path TRACE = RuntimeTraces.trace("unsorted-exact-fit");
    static final Sources.ReplaySettings DEFAULTS = new Sources.ReplaySettings("2.36", "");

    static String all(HeapSnapshot s) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        for (SnapshotRenderer r : new SnapshotRenderer[] {new HeapRenderer(), new BinsTextRenderer(), new VisRenderer(0)}) {
            r.render(s, pw, Style.PLAIN);
        }
        pw.flush();
        return sw.toString();
    }

    @Test
    void atNThenAtNMinusOneShowsTheEarlierStateExactly() {
        for (int n : new int[] {1, 18, 31, 60}) {
            StateSource walked = Sources.open(TRACE, DEFAULTS);
            String atN = all(walked.at(n));
            String back = all(walked.at(n - 1));
            String direct = all(Sources.open(TRACE, DEFAULTS).at(n - 1));
            assertThat(back).as("step %d after visiting %d", n - 1, n).isEqualTo(direct);
            assertThat(atN).as("step %d differs from %d", n, n - 1).isNotEqualTo(back);
        }
    }

    @Test
    void aSnapshotStaysTheSameWhenTheSourceMovesOn() {
        StateSource s = Sources.open(TRACE, DEFAULTS);
        HeapSnapshot at20 = s.at(20);
        String before = all(at20);
        s.at(40);
        assertThat(all(at20)).isEqualTo(before);
    }
}
