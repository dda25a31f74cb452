package io.mallocscope.cli.html;

import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.TimelineTextRenderer;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.cli.testing.RecordedFirstFit;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.Reconstructor;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.mallocscope.cli.testing.RecordedFirstFit.A;
import static io.mallocscope.cli.testing.RecordedFirstFit.B;
import static io.mallocscope.cli.testing.RecordedFirstFit.HEAP;
import static io.mallocscope.cli.testing.RecordedFirstFit.TOP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTML model of a timeline recorded in-process ({@link RecordedFirstFit}): calls, words, rebuilt heap. */
class HtmlModelsFromTimelineTest {
    @TempDir
    static Path dir;
    static StateSource source;
    static Timeline timeline;
    static HtmlModel model;

    @BeforeAll
    static void record() throws IOException {
        source = RecordedFirstFit.record(dir.resolve("first-fit.timeline"));
        timeline = source.timeline().orElseThrow();
        model = HtmlModels.fromTimeline(timeline, source.ops(), "first-fit.timeline", 1000);
    }

    @Test
    void oneStepPerTopLevelCallAfterStepZero() {
        assertThat(timeline.steps()).isEqualTo(4);
        assertThat(model.steps()).extracting(HtmlModel.Step::number).containsExactly(0, 1, 2, 3, 4);
        assertThat(model.steps()).extracting(HtmlModel.Step::op).containsExactly("start",
                "malloc(0x512) = 0x5555555592a0", "malloc(0x256) = 0x5555555597c0", "free(0x5555555592a0)",
                "malloc(0x1fa) = 0x5555555592a0");
        assertThat(model.steps()).extracting(HtmlModel.Step::site).containsExactly("", "FirstFit.java:33",
                "FirstFit.java:34", "FirstFit.java:44", "FirstFit.java:49");
        assertThat(model.title()).isEqualTo("first-fit");
        assertThat(model.header()).isEqualTo(new HtmlModel.Header("first-fit", "2.36", "", HEAP));
    }

    @Test
    void explanationsAreTheTextTimelinesOwnLines() {
        // what `mallocscope timeline` prints under each "#N call" line, indentation dropped
        List<List<String>> printed = printedUnderEachCall(source.ops());
        for (int n = 1; n <= 4; n++) {
            assertThat(model.steps().get(n).explanation()).as("step %d", n).isEqualTo(printed.get(n - 1));
        }
        assertThat(model.steps().get(1).explanation()).containsExactly(
                "kernel: sbrk(0x21000) = 0x555555559000",
                "kernel: sbrk(0) = 0x55555557a000",
                "top: created at 0x555555559000 size 0x21000 (the heap's first memory from the kernel)",
                "top: split 0x290 off for the tcache (tcache_perthread_struct), top now 0x555555559290 size 0x20d70",
                "top: split 0x520 off, top now 0x5555555597b0 size 0x20850");
        assertThat(model.steps().get(3).explanation()).containsExactly("unsortedbin: put 0x555555559290 (#1) (0x520) [free]");
        assertThat(model.steps().get(4).explanation()).containsExactly(
                "unsortedbin: 0x555555559290 (#1) (0x520) moved to largebins[0x500-0x530]",
                "largebins[0x500-0x530]: took 0x555555559290 (#1) (0x520) [binmap scan]",
                "split 0x555555559290 (#1): 0x210 used, remainder 0x5555555594a0 size 0x310",
                "unsortedbin: put 0x5555555594a0 (0x310) [split]");
        assertThat(model.steps().get(0).explanation())
                .containsExactly("The heap before the first call: malloc has not run yet, there is no heap.");
    }

    @Test
    void eachStepCarriesTheRebuiltHeap() {
        HtmlModel.Step start = model.steps().get(0);
        assertThat(start.chunks()).isEmpty();
        assertThat(start.brk()).isEqualTo(HEAP);

        HtmlModel.Step freed = model.steps().get(3);
        assertThat(freed.chunks()).containsExactly(
                new HtmlModel.ChunkBox(HEAP, 0x290, "in_use", "tcache struct"),
                new HtmlModel.ChunkBox(A, 0x520, "unsorted", "#1"),
                new HtmlModel.ChunkBox(B, 0x260, "in_use", "#2"),
                new HtmlModel.ChunkBox(TOP, 0x205f0, "top", ""));
        assertThat(freed.bins()).isEqualTo(Map.of("unsortedbin", List.of("0x555555559290")));
        assertThat(freed.brk()).isEqualTo(HEAP + 0x21000);

        HtmlModel.Step last = model.steps().get(4);
        assertThat(last.chunks()).containsExactly(
                new HtmlModel.ChunkBox(HEAP, 0x290, "in_use", "tcache struct"),
                new HtmlModel.ChunkBox(A, 0x210, "in_use", "#4"),
                new HtmlModel.ChunkBox(A + 0x210, 0x310, "unsorted", ""),
                new HtmlModel.ChunkBox(B, 0x260, "in_use", "#2"),
                new HtmlModel.ChunkBox(TOP, 0x205f0, "top", ""));
        assertThat(last.bins()).isEqualTo(Map.of("unsortedbin", List.of("0x5555555594a0")));
    }

    @Test
    void theOutputPanelSaysTimelinesDoNotRecordOutput() {
        assertThat(model.stdout()).isEmpty();
        assertThat(model.stderr()).isEmpty();
        assertThat(model.outputNote()).isEqualTo("(program output is not recorded in timelines)");
        assertThat(Fixtures.render(model)).contains("\"outputNote\":\"(program output is not recorded in timelines)\"");
    }

    @Test
    void maxStepsCutsThePageAndTheLastStepSaysSo() {
        HtmlModel cut = HtmlModels.fromTimeline(timeline, source.ops(), "first-fit.timeline", 2);
        assertThat(cut.steps()).hasSize(3);
        assertThat(cut.steps().get(2).op()).isEqualTo("malloc(0x256) = 0x5555555597c0");
        assertThat(cut.steps().get(2).explanation()).containsExactly(
                "top: split 0x260 off, top now 0x555555559a10 size 0x205f0",
                "The timeline goes on for 2 more calls, not shown here (the page shows the first 2;"
                        + " --max-steps N shows more).");
        // the heap at the cut is the heap after call 2, whatever came later
        assertThat(cut.steps().get(2).chunks()).extracting(HtmlModel.ChunkBox::state)
                .containsExactly("in_use", "in_use", "in_use", "top");
        assertThatThrownBy(() -> HtmlModels.fromTimeline(timeline, source.ops(), "x", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxSteps must be at least 1, got 0");
    }

    /** A long recording: the page stops at the default cap, and the heap there is the heap at that step. */
    @Test
    void aLongTimelineIsCutAtTheDefaultCapWithTheHeapOfThatStep() throws IOException {
        Path file = dir.resolve("long.timeline");
        CProcess live = CProcess.create(ProcessOptions.defaults().withProgramName("long")
                .withStdout(OutputStream.nullOutputStream()).withStderr(OutputStream.nullOutputStream()));
        LibC c = live.libc();
        List<Long> held = new ArrayList<>();
        TimelineHeader h = TimelineHeader.of(Map.of(TimelineHeader.GLIBC, "2.36", TimelineHeader.PROGRAM, "long"));
        try (TimelineWriter w = TimelineWriter.open(file, h, 60_000, msg -> {
            throw new AssertionError(msg);
        })) {
            w.defineSite(1, "Long.java:1");
            for (int i = 0; i < 5000; i++) {
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
        StateSource s = Sources.open(file, new Sources.ReplaySettings("2.36", ""));
        Timeline t = s.timeline().orElseThrow();
        HtmlModel m = HtmlModels.fromTimeline(t, s.ops(), "long.timeline", HtmlModels.DEFAULT_MAX_OPERATIONS);

        assertThat(m.steps()).hasSize(1001);
        HtmlModel.Step last = m.steps().get(1000);
        assertThat(last.explanation()).last().isEqualTo("The timeline goes on for 4000 more calls, not shown here"
                + " (the page shows the first 1000; --max-steps N shows more).");
        // the same step rebuilt on its own, from scratch
        HeapView v = new Reconstructor(t).stateAt(1000).malloc().view();
        assertThat(last.chunks()).extracting(b -> b.address() + "/" + b.size() + "/" + b.state())
                .isEqualTo(v.chunks().stream().map(ch -> ch.address() + "/" + ch.size() + "/"
                        + ch.state().name().toLowerCase(java.util.Locale.ROOT)).toList());
        assertThat(last.bins()).isEqualTo(HtmlModels.bins(v));
        assertThat(last.chunks()).extracting(HtmlModel.ChunkBox::state).contains("in_use", "top");
        assertThat(last.bins().keySet()).isNotEmpty();
    }

    static List<List<String>> printedUnderEachCall(List<Op> ops) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        new TimelineTextRenderer().render(List.of(), ops, pw, Style.PLAIN);
        pw.flush();
        List<List<String>> out = new ArrayList<>();
        for (String line : sw.toString().split("\n")) {
            if (line.startsWith("#")) {
                out.add(new ArrayList<>());
            } else {
                out.get(out.size() - 1).add(line.substring(4));
            }
        }
        return out;
    }
}
