package io.mallocscope.cli.explore;

import io.mallocscope.cli.explain.Narrator;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.TimelineTextRenderer;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.cli.testing.RuntimeTraces;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The explorer on a trace with thread lines: its call pane is what timeline prints, threads named. */
class ExplorerThreadedTraceTest {
    @Test
    void theCallPaneNamesEachCallsThreadAsTimelineDoes() {
        StateSource source = Sources.open(RuntimeTraces.threadedTraces().resolve("first-free.rep"),
                new Sources.ReplaySettings("2.36", null));
        StringWriter text = new StringWriter();
        new TimelineTextRenderer(Narrator.of(source, Narrator.Writes.metadata))
                .render(source.ops(), op -> true, new PrintWriter(text), Style.PLAIN);
        Explorer e = new Explorer(source, 0);
        List<String> shown = new ArrayList<>();
        for (int n = 1; n <= source.steps(); n++) {
            e.next();
            shown.add(e.heading());
            e.narration().forEach(l -> shown.add("    " + l));
        }
        assertThat(String.join("\n", shown) + "\n").isEqualTo(text.toString());
        assertThat(new Explorer(source, 8).heading()).isEqualTo("#8 [t1] malloc(0x18) = 0x7ffff0000b70");
    }
}
