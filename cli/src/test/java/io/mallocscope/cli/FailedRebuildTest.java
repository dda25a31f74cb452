package io.mallocscope.cli;

import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.Reconstructor;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A recorded run the Reconstructor cannot rebuild, on hand-made timelines: the story is told up to the
 * step it cannot tell, then one line names that step and the replay's reason, status 1, no stack trace;
 * the commands that show a step of the run say the same reason.
 */
class FailedRebuildTest {
    private static final String NOT_FORKED = "replay failed at event 3 (call): process 5 was not forked in the replay";

    @TempDir
    Path dir;

    private Path timeline(String name, Consumer<TimelineWriter> calls) throws IOException {
        Path f = dir.resolve(name + ".timeline");
        TimelineWriter w = TimelineWriter.open(f, TimelineHeader.of(Map.of(TimelineHeader.GLIBC, "2.36",
                TimelineHeader.PROGRAM, name, TimelineHeader.HEAP_START, "0x555555559000",
                TimelineHeader.RECORD, "calls+transitions+writes")), 60_000, msg -> {
                    throw new AssertionError(msg);
                });
        calls.accept(w);
        w.close();
        return f;
    }

    /** Call 2 was made in process 5, which no call forked (a recording edited by hand). */
    private Path unforked() throws IOException {
        return timeline("unforked", w -> {
            w.call(Functions.MALLOC, 0, 0x18, 0, 0, 0, 0, 0);
            w.ret(Functions.MALLOC, 0x5555555592a0L);
            w.context(5, 0);
            w.call(Functions.MALLOC, 0, 0x28, 0, 0, 0, 0, 0);
            w.ret(Functions.MALLOC, 0x5555555592c0L);
            w.context(2, 0);
            w.call(Functions.FREE, 0, 0x5555555592a0L, 0, 0, 0, 0, 0);
            w.ret(Functions.FREE, 0);
        });
    }

    @Test
    void theStoryStopsAtTheStepItCannotTellWithTheReplaysReason() throws IOException {
        Path f = unforked();
        CliRun.Result r = run("timeline", f.toString(), "--color=never");
        assertThat(r.err()).isEqualTo("mallocscope: cannot tell step 2: " + NOT_FORKED + "\n");
        assertThat(r.status()).isEqualTo(Exit.DATA);
        assertThat(r.out()).as("the calls told before it, whole").isEqualTo("#1 [pid 2] malloc(0x18) = 0x5555555592a0\n");

        CliRun.Result later = run("timeline", f.toString(), "--color=never", "--from", "3");
        assertThat(later.err()).as("call 3 is told knowing call 2, which cannot be followed")
                .isEqualTo("mallocscope: cannot tell step 2: " + NOT_FORKED + "\n");
        assertThat(later.status()).isEqualTo(Exit.DATA);
        assertThat(later.out()).isEmpty();

        CliRun.Result writesOff = run("timeline", f.toString(), "--color=never", "--writes", "none");
        assertThat(writesOff.err()).isEqualTo("mallocscope: cannot tell step 2: " + NOT_FORKED + "\n");

        CliRun.Result life = run("chunk", f.toString(), "0x5555555592a0");
        assertThat(life.err()).isEqualTo("mallocscope: cannot tell step 2: " + NOT_FORKED + "\n");
        assertThat(life.status()).isEqualTo(Exit.DATA);

        Path html = dir.resolve("unforked.html");
        CliRun.Result page = run("timeline", f.toString(), "--format", "html", "--out", html.toString());
        assertThat(page.err()).isEqualTo("mallocscope: cannot tell step 2: " + NOT_FORKED + "\n");
        assertThat(page.status()).isEqualTo(Exit.DATA);
        assertThat(html).doesNotExist();
    }

    @Test
    void theViewsOfTheProcessTheReplayCouldNotMakeSayTheSameReason() throws IOException {
        Path f = unforked();
        for (String view : new String[] {"heap", "bins", "vis", "arenas"}) {
            CliRun.Result r = run(view, f.toString(), "--at", "2", "--pid", "5");
            assertThat(r.err()).as(view).isEqualTo("mallocscope: cannot show process 5 at step 2: " + NOT_FORKED + "\n");
            assertThat(r.status()).as(view).isEqualTo(Exit.DATA);
            assertThat(r.out()).as(view).isEmpty();
        }
        // the program's own process is rebuilt at that step: shown as it was
        CliRun.Result heap = run("heap", f.toString(), "--at", "3");
        assertThat(heap.status()).isZero();
        assertThat(heap.out()).contains("Free chunk (tcachebins) | PREV_INUSE\nAddr: 0x555555559290\n");
        // a process the recording never had is a usage error, as before
        CliRun.Result none = run("heap", f.toString(), "--at", "2", "--pid", "9");
        assertThat(none.err()).isEqualTo("mallocscope: --pid 9: no such process at step 2 (processes: 2; 2 is the program)\n");
        assertThat(none.status()).isEqualTo(Exit.USAGE);
    }

    /**
     * The first call's recorded pointer is not the one the replay's malloc returns, and is not mapped in
     * the rebuilt process: the narration cannot read its chunk and says why.
     */
    @Test
    void aReplayThatDepartsWhereTheTellingMustReadIsSaidWithTheDeparture() throws IOException {
        Path f = timeline("departed", w -> {
            w.call(Functions.MALLOC, 0, 0x18, 0, 0, 0, 0, 0);
            w.ret(Functions.MALLOC, 0x10L);
            w.call(Functions.FREE, 0, 0x10L, 0, 0, 0, 0, 0);
            w.ret(Functions.FREE, 0);
        });
        CliRun.Result r = run("timeline", f.toString(), "--color=never");
        assertThat(r.err()).isEqualTo("mallocscope: cannot tell step 1: replay differs at event 0 (step 1): malloc "
                + "returned 0x5555555592a0, the recording says 0x10\n");
        assertThat(r.status()).isEqualTo(Exit.DATA);
        assertThat(r.out()).isEmpty();
        assertThat(Files.exists(f)).isTrue();
    }

    @Test
    void theReplaySaysFromWhichStepItsStateIsNotTheRecordings() throws IOException {
        Reconstructor replay = new Reconstructor(Timeline.read(unforked()));
        replay.stateAt(1);
        assertThat(replay.problem()).isEmpty();
        assertThat(replay.problemStep()).isEqualTo(-1);
        replay.stateAt(3);
        assertThat(replay.problem()).contains(NOT_FORKED);
        assertThat(replay.problemStep()).as("call 2 is where it failed").isEqualTo(2);
        replay.close();
    }
}
