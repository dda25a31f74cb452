package io.mallocscope.cli.explore;

import io.mallocscope.cli.explain.Narrator;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.TimelineTextRenderer;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.cli.testing.RecordedFirstFit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The explorer without a terminal, on how2heap's first_fit recorded in-process (4 calls). */
class ExplorerTest {
    @TempDir
    Path dir;
    StateSource source;

    @BeforeEach
    void record() throws IOException {
        source = RecordedFirstFit.record(dir.resolve("first-fit.timeline"));
    }

    @Test
    void theCallPaneIsWhatTimelinePrintsForTheStep() {
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
        assertThat(e.heading()).isEqualTo("#4 malloc(0x1fa) = 0x5555555592a0   FirstFit.java:49");
    }

    @Test
    void theHeapPaneWalksTheChunksWithTheirListsAndLinks() {
        Explorer e = new Explorer(source, 4);
        assertThat(e.heapLines()).containsExactly(
                " 0x555555559000 0x290   P--      in use",
                " 0x555555559290 0x210   P-- #4   in use",
                " 0x5555555594a0 0x310   P--      unsortedbin  fd 0x7ffff7faacc0 bk 0x7ffff7faacc0",
                " 0x5555555597b0 0x260   --- #2   in use",
                " 0x555555559a10 0x205f0 P--      top");
        assertThat(e.binLines()).contains("all: 0x5555555594a0 —▸ 0x7ffff7faacc0 (main_arena+96) ◂— 0x5555555594a0");
        assertThat(e.visLines().get(0)).isEqualTo("0x555555559000  0x0000000000000000  0x0000000000000291  ................");
        assertThat(new Explorer(source, 0).heapLines()).containsExactly("no heap yet");
    }

    @Test
    void aBadStepIsAMessageAndNothingMoves() {
        Explorer e = new Explorer(source, 2);
        e.jump("nine");
        assertThat(e.message()).isEqualTo("not a step number: 'nine' (0..4)");
        e.jump("9");
        assertThat(e.message()).isEqualTo("no step 9: the timeline of first-fit has steps 0..4");
        assertThat(e.step()).isEqualTo(2);
        e.jump("#3");
        assertThat(e.step()).isEqualTo(3);
        e.next();
        e.next();
        assertThat(e.step()).isEqualTo(4);
        assertThat(e.message()).isEqualTo("at the last step (4)");
    }

    @Test
    void followingAChunkVisitsEveryStepThatTouchedIt() {
        Explorer e = new Explorer(source, 0);
        e.follow("0x5555555592a0"); // the pointer malloc handed out: the chunk is 0x…290
        assertThat(e.followed()).isEqualTo(RecordedFirstFit.A);
        assertThat(e.followedSteps()).containsExactly(1, 3, 4);
        e.nextTouch(1);
        assertThat(e.step()).isEqualTo(1);
        e.nextTouch(1);
        assertThat(e.step()).isEqualTo(3);
        assertThat(e.heapLines()).contains("▶0x555555559290 0x520   P-- #1   unsortedbin  fd 0x7ffff7faacc0 bk 0x7ffff7faacc0");
        e.nextTouch(-1);
        assertThat(e.step()).isEqualTo(1);
        e.nextTouch(-1);
        assertThat(e.message()).isEqualTo("0x555555559290: no step before 1 touched it");
        e.follow("0x1234");
        assertThat(e.message()).isEqualTo("no call touched a chunk at 0x1234");
        e.follow("zz");
        assertThat(e.message()).isEqualTo("'zz' is not a hex address (e.g. 0x5555555592a0)");
    }

    @Test
    void aWordThatIsNoBinNameIsSaidSoAndNothingMoves() {
        Explorer e = new Explorer(source, 4);
        e.runTo("unsorted", -1);
        assertThat(e.step()).isEqualTo(4);
        assertThat(e.message()).isEqualTo("not a bin, chunk or address: 'unsorted'");
        e.runTo("tcache[0x20]", -1);
        assertThat(e.message()).isEqualTo("not a bin, chunk or address: 'tcache[0x20]'");
        e.runTo("largebins[0x500-0x530]", -1);
        assertThat(e.message()).doesNotStartWith("not a bin");
    }

    /** A bin name in pwndbg's form that no bin of this glibc has: said so, with the names there are. */
    @Test
    void aBinThatCannotExistIsSaidSoAndNothingMoves() {
        Explorer e = new Explorer(source, 4);
        e.runTo("tcachebins[0x999]", 1);
        assertThat(e.step()).isEqualTo(4);
        assertThat(e.message()).isEqualTo("no such bin: 'tcachebins[0x999]' (tcachebins[0x20] … tcachebins[0x410])");
        e.runTo("smallbins[0x400]", -1);
        assertThat(e.message()).isEqualTo("no such bin: 'smallbins[0x400]' (smallbins[0x20] … smallbins[0x3f0])");
        e.runTo("largebins[0x500-0x540]", -1);
        assertThat(e.message()).isEqualTo("no such bin: 'largebins[0x500-0x540]' (largebins[0x400-0x430] … "
                + "largebins[0x80000-0xfffffffffffffff0])");
        e.runTo("fastbins[0x28]", 1);
        assertThat(e.message()).isEqualTo("no such bin: 'fastbins[0x28]' (fastbins[0x20] … fastbins[0xb0])");
        assertThat(e.step()).isEqualTo(4);
        e.runTo("", 1);
        assertThat(e.message()).as("a refused name is not the one Enter repeats")
                .isEqualTo("name a bin (unsortedbin, tcachebins[0x90]), a chunk or @address to watch");
        e.runTo("tcachebins[0x410]", 1);
        assertThat(e.message()).doesNotStartWith("no such bin");
    }

    /** 2.43 has no fastbins at all. */
    @Test
    void aReleaseWithoutFastbinsSaysSo() {
        StateSource trace = io.mallocscope.cli.source.Sources.open(
                io.mallocscope.cli.testing.RuntimeTraces.traces().resolve("worked-brief-example.rep"),
                new io.mallocscope.cli.source.Sources.ReplaySettings("2.43", null));
        Explorer e = new Explorer(trace, 2);
        e.runTo("fastbins[0x20]", 1);
        assertThat(e.message()).isEqualTo("no such bin: 'fastbins[0x20]' (this glibc has no fastbins)");
        assertThat(e.step()).isEqualTo(2);
    }

    @Test
    void runningBackAndForwardStopsWhereABinChanged() {
        Explorer e = new Explorer(source, 4);
        e.runTo("unsortedbin", -1);
        assertThat(e.step()).isEqualTo(4);
        assertThat(e.message()).isEqualTo("unsortedbin changed in step 4: [0x555555559290] → [0x5555555594a0]");
        e.runTo("", -1); // again: the change before
        assertThat(e.step()).isEqualTo(3);
        assertThat(e.message()).isEqualTo("unsortedbin changed in step 3: [] → [0x555555559290]");
        e.runTo("", -1);
        assertThat(e.step()).isEqualTo(3);
        assertThat(e.message()).isEqualTo("unsortedbin did not change before step 3");
        e.jump("0");
        // step 4 moved the chunk into a large bin and took it out again: between two steps nothing changed
        e.runTo("largebins[0x500-0x530]", 1);
        assertThat(e.step()).isEqualTo(0);
        assertThat(e.message()).isEqualTo("largebins[0x500-0x530] did not change after step 0");
        e.runTo("unsortedbin", 1);
        assertThat(e.step()).isEqualTo(3);
    }

    /** {@link #source}, noting each step whose state is read ({@code at(n)}) in {@code read}. */
    private StateSource counting(List<Integer> read) {
        return (StateSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {StateSource.class}, (proxy, m, args) -> {
                    if (m.getName().equals("at") && args != null && args.length == 1) {
                        read.add((Integer) args[0]);
                    }
                    try {
                        return m.invoke(source, args);
                    } catch (java.lang.reflect.InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    /** A search reads each step's state once: the step it lands on is shown from the walk, not rebuilt again. */
    @Test
    void runningBackReadsTheFoundStepOnce() {
        List<Integer> read = new ArrayList<>();
        StateSource counting = counting(read);
        Explorer e = new Explorer(counting, 4);
        read.clear();
        e.runTo("unsortedbin", -1);
        e.runTo("", -1);
        assertThat(e.step()).isEqualTo(3);
        assertThat(read).as("two walks from step 0, each step once").containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3);
        assertThat(e.heapLines()).isEqualTo(new Explorer(source, 3).heapLines());
    }

    /**
     * Landing back on a step before the last one walked, the explorer rebuilds that step: the walk's process has
     * moved on, and a snapshot reads all but the brk heap (mmapped chunks, stack, globals) from it.
     */
    @Test
    void runningBackPastLaterStepsRebuildsTheFoundStep() {
        List<Integer> read = new ArrayList<>();
        StateSource counting = counting(read);
        Explorer e = new Explorer(counting, 4);
        read.clear();
        e.runTo("0x555555559000", -1); // the tcache_perthread_struct: made by the first malloc, untouched since
        assertThat(e.step()).isEqualTo(1);
        assertThat(read).as("one walk to step 4, then step 1 rebuilt").containsExactly(0, 1, 2, 3, 4, 1);
        assertThat(e.visLines()).isEqualTo(new Explorer(source, 1).visLines());
    }

    @Test
    void runningBackToWhereAChunkOrAWordChanged() {
        Explorer e = new Explorer(source, 4);
        e.runTo("0x555555559290", -1); // a chunk of step 4: its state and its words, only what changed said
        assertThat(e.step()).isEqualTo(4);
        // the chunk passed through largebins[0x500-0x530] inside the call: its links still say so
        assertThat(e.message()).isEqualTo("chunk 0x555555559290 changed in step 4: unsortedbin → in use, "
                + "size 0x521 → 0x211, fd 0x7ffff7faacc0 → 0x7ffff7fab0f0, bk 0x7ffff7faacc0 → 0x7ffff7fab0f0, "
                + "fd_nextsize 0x0 → 0x555555559290, bk_nextsize 0x0 → 0x555555559290");
        e.jump("4");
        e.runTo("@0x5555555592a0", -1); // the word the program's strcpy wrote after step 2, then free's fd
        assertThat(e.message()).startsWith("the word at 0x5555555592a0 changed in step ");
        int wrote = e.step();
        e.runTo("", -1);
        assertThat(e.step()).isLessThan(wrote);
        e.runTo("no-such[bin", -1);
        assertThat(e.message()).isEqualTo("not a bin, chunk or address: 'no-such[bin'");
    }

    @Test
    void theScreenIsExactlyTheTerminalsSize() {
        Explorer e = new Explorer(source, 4);
        List<Screen.Row> rows = Screen.compose(e, 100, 30, null);
        assertThat(rows).hasSize(30);
        assertThat(rows).allSatisfy(r -> assertThat(r.text()).hasSize(100));
        assertThat(rows.get(0).text()).startsWith(" mallocscope explore  the timeline of first-fit   step 4 / 4");
        assertThat(rows.get(2).text()).startsWith("#4 malloc(0x1fa) = 0x5555555592a0   FirstFit.java:49");
        assertThat(rows.get(29).text()).startsWith("n/→ next  p/← back");
        assertThat(Screen.compose(e, 100, 30, "go to step: 12").get(29).text()).startsWith("go to step: 12");
        List<String> wrapped = new ArrayList<>();
        Screen.wrap("    one two three four five six", 14, wrapped);
        assertThat(wrapped).containsExactly("    one two", "      three", "      four", "      five six");
    }
}
