package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.signal.SimulatedSignal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A replay that starts before its trace's check is over ({@link OffsetsReplay#run(TraceFile, Function,
 * java.io.OutputStream)}) prints and throws exactly what checking first, then replaying, does. The
 * check is started by hand when the replay makes its process, so the replay is always ahead of it.
 */
@Timeout(120) // a replay waiting for a check that never comes fails instead of hanging the build
class OffsetsReplayAheadTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    /** The tunables each process was made for, in order. */
    private final List<String> made = new ArrayList<>();

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text, StandardCharsets.ISO_8859_1);
        return f;
    }

    /** Options that start {@code t}'s check the first time they are asked for (when the replay is ahead). */
    private Function<String, ProcessOptions> startingTheCheck(TraceFile t) {
        boolean[] started = {false};
        return own -> {
            if (!started[0]) {
                started[0] = true;
                t.startCheck();
            }
            made.add(own);
            ProcessOptions o = ProcessOptions.defaults().withStderr(err);
            return own != null ? o.withTunables(own) : o;
        };
    }

    /** What checking first, then replaying, prints (lines, then what the signal was), as one string. */
    private static String sequential(Path f) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String end = "";
        try {
            OffsetsReplay.run(TraceFile.open(f, f.getFileName().toString()), ProcessOptions.defaults(), out);
        } catch (SimulatedSignal s) {
            end = "<" + s.getClass().getSimpleName() + ">";
        }
        return out.toString(StandardCharsets.ISO_8859_1) + end;
    }

    private String ahead(Path f, long holdLimit) throws IOException {
        TraceFile t = TraceFile.unchecked(f, f.getFileName().toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String end = "";
        try {
            OffsetsReplay.run(t, startingTheCheck(t), out, holdLimit);
        } catch (SimulatedSignal s) {
            end = "<" + s.getClass().getSimpleName() + ">";
        }
        return out.toString(StandardCharsets.ISO_8859_1) + end;
    }

    private static String mixed(int ops, long seed) {
        StringBuilder text = new StringBuilder();
        Random rnd = new Random(seed);
        for (int i = 0; i < ops; i++) {
            int id = rnd.nextInt(3000);
            switch (rnd.nextInt(6)) {
                case 0, 1 -> text.append("a ").append(id).append(' ').append(rnd.nextInt(3000)).append('\n');
                case 2 -> text.append("c ").append(id).append(' ').append(rnd.nextInt(200_000)).append('\n');
                case 3 -> text.append("r ").append(id).append(' ').append(rnd.nextInt(5000)).append('\n');
                case 4 -> text.append("f ").append(id).append('\n');
                default -> text.append(rnd.nextInt(50) == 0 ? "t 0\n" : "m " + id + " 64 " + rnd.nextInt(500) + "\n");
            }
        }
        return text.toString();
    }

    @Test
    void heldLinesAreWrittenOutOnceTheCheckIsThroughAndTheRestGoesStraightThrough() throws IOException {
        Path f = write("mixed.rep", mixed(30_000, 3));
        String expected = sequential(f);
        assertThat(expected).contains("\nmallinfo arena=");
        // a limit of one byte: the replay waits for the check after its first batch of ops
        assertThat(ahead(f, 1)).isEqualTo(expected);
        // no limit: the check is over before the replay is, whenever it ends
        assertThat(ahead(f, Long.MAX_VALUE)).isEqualTo(expected);
        assertThat(err.size()).isZero();
    }

    /** {@code text}'s lines with comments, blank lines and CR LF line ends put between them at random. */
    private static String untidy(String text, long seed) {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder("1\n2\n"); // a header
        for (String line : text.split("\n")) {
            switch (rnd.nextInt(40)) {
                case 0 -> sb.append("# a comment, \u00e9 in Latin-1\n");
                case 1 -> sb.append("\n");
                case 2 -> sb.append("  \t\r\n");
                default -> {
                }
            }
            sb.append(rnd.nextInt(10) == 0 ? " " + line + " " : line).append(rnd.nextInt(5) == 0 ? "\r\n" : "\n");
        }
        return sb.toString();
    }

    @Test
    void theRestReadOnAnotherThreadFromWhereABatchStartsIsTheSameOps() throws IOException {
        for (long seed = 1; seed <= 3; seed++) {
            Path f = write("untidy.rep", untidy(mixed(25_000, seed), seed));
            String expected = sequential(f);
            // held up to one byte: the check is waited for after the first batch, the rest read by the feed
            assertThat(ahead(f, 1)).isEqualTo(expected);
            TraceFile t = TraceFile.open(f, "untidy.rep");
            List<String> all = new ArrayList<>();
            t.forEach((letters, ids, arg1, arg2, n) -> all.add(ops(letters, ids, arg1, arg2, n)));
            assertThat(t.batchStarts()).isEqualTo(all.size() - 1).isEqualTo(6);
            for (int k = 1; k <= t.batchStarts(); k++) {
                List<String> from = new ArrayList<>();
                t.forEachFrom(k, (letters, ids, arg1, arg2, n) -> from.add(ops(letters, ids, arg1, arg2, n)));
                assertThat(from).as("from batch %d", k).isEqualTo(all.subList(k, all.size()));
            }
        }
    }

    @Test
    void aLineBrokenAfterTheCheckIsNamedByItsLineInTheFileWhenReadFromABatch() throws IOException {
        // two comment lines and a blank one before the ops, so the file's line numbers are not the ops'
        String ops = "a 1 24\n".repeat(3 * Trace.BATCH);
        Path f = write("changed.rep", "# a trace\n\n# three batches\n" + ops);
        TraceFile t = TraceFile.open(f, "changed.rep");
        assertThat(t.batchStarts()).isEqualTo(2);
        // the file changes after the check: the op on line 3 + BATCH + 10 (the second batch's 10th) breaks,
        // its length kept
        int broken = 3 + Trace.BATCH + 10;
        StringBuilder text = new StringBuilder(Files.readString(f, StandardCharsets.ISO_8859_1));
        int at = text.indexOf("a 1 24\n", 0);
        for (int line = 4; line < broken; line++) {
            at = text.indexOf("\n", at) + 1;
        }
        text.replace(at, at + 6, "q 1 24");
        Files.writeString(f, text, StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> t.forEachFrom(1, (letters, ids, arg1, arg2, n) -> { }))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("changed.rep:" + broken + ": unknown op 'q'");
        int[] read = {0}; // the third batch starts after the broken line: all of it is read
        t.forEachFrom(2, (letters, ids, arg1, arg2, n) -> read[0] += n);
        assertThat(read[0]).isEqualTo(Trace.BATCH);
    }

    @Test
    void theFeedStopsReadingWhenTheReplayEnds() throws Exception {
        Path f = write("long.rep", "a 1 24\n".repeat(40 * Trace.BATCH));
        TraceFile t = TraceFile.open(f, "long.rep");
        OffsetsReplay.Feed feed = new OffsetsReplay.Feed(t, 1);
        feed.recycle(feed.take()); // the replay took one batch, then ended (an abort, say)
        while (feed.queued() < OffsetsReplay.Feed.AHEAD) {
            Thread.onSpinWait(); // the reader is ahead again, waiting for room
        }
        feed.stop();
        feed.awaitReader();
        // the batch taken, those queued, and at most the one the reader was handing over as the replay ended
        assertThat(feed.handedOver()).isBetween(1 + OffsetsReplay.Feed.AHEAD, 2 + OffsetsReplay.Feed.AHEAD);
    }

    private static String ops(byte[] letters, int[] ids, long[] arg1, long[] arg2, int n) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            sb.append((char) letters[k]).append(ids[k]).append(',').append(arg1[k]).append(',').append(arg2[k]).append(' ');
        }
        return sb.toString();
    }

    @Test
    void aBadLineFoundByTheCheckIsTheErrorAndNothingIsPrinted() throws IOException {
        Path f = write("late.rep", mixed(20_000, 5) + "a 1 -1\n" + "a 2 24\n".repeat(10));
        TraceFile t = TraceFile.unchecked(f, "late.rep");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> OffsetsReplay.run(t, startingTheCheck(t), out, Long.MAX_VALUE))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("late.rep:20001: expected an unsigned number, got '-1'");
        assertThat(out.size()).isZero();
    }

    @Test
    void aSignalBeforeABadLineIsNotPrintedEither() throws IOException {
        // the replay segfaults at line 3 (the heap cut under its top chunk) once it has its first batch of
        // ops, and starts the check; the check fails at the last line
        Path f = write("cut.rep", "a 0 24\ns -135168\na 1 24\n" + "a 2 24\n".repeat(5000) + "x\n");
        TraceFile t = TraceFile.unchecked(f, "cut.rep");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> OffsetsReplay.run(t, startingTheCheck(t), out, Long.MAX_VALUE))
                .isInstanceOf(TraceFormatException.class).hasMessageStartingWith("cut.rep:5004: unknown op 'x'");
        assertThat(out.size()).isZero();
        assertThat(err.size()).isZero();
    }

    @Test
    void aSignalOfACheckedTraceComesAfterTheLinesBeforeIt() throws IOException {
        Path f = write("cut.rep", mixed(10_000, 11) + "a 0 24\ns -135168\na 1 24\n");
        String expected = sequential(f);
        assertThat(expected).endsWith("<Segfault>");
        assertThat(ahead(f, Long.MAX_VALUE)).isEqualTo(expected);
        TraceFile t = TraceFile.unchecked(f, "cut.rep");
        assertThatThrownBy(() -> OffsetsReplay.run(t, startingTheCheck(t), new ByteArrayOutputStream(), 1))
                .isInstanceOf(Segfault.class);
    }

    @Test
    void tunablesNamedAfterTheFirstOpStartTheReplayAgainWithThem() throws IOException {
        // tcache_count=0: the freed chunk goes to a fastbin, so the next malloc's line is not the same
        String body = mixed(9_000, 13);
        Path late = write("late-tunables.rep", body + "# tunables: glibc.malloc.tcache_count=0\n" + body);
        Path first = write("first-tunables.rep", "# tunables: glibc.malloc.tcache_count=0\n" + body + body);
        String expected = sequential(first);
        assertThat(expected).isNotEqualTo(sequential(write("none.rep", body + body)));
        assertThat(sequential(late)).isEqualTo(expected);
        assertThat(ahead(late, Long.MAX_VALUE)).isEqualTo(expected);
        // a process made for none, then, the check through, one for the trace's tunables
        assertThat(made).containsExactly(null, "glibc.malloc.tcache_count=0");
        made.clear();
        assertThat(ahead(first, Long.MAX_VALUE)).isEqualTo(expected);
        assertThat(made).containsExactly("glibc.malloc.tcache_count=0");
    }

    @Test
    void optionsRefusedForTheTunablesReadSoFarAreThrownOnlyIfTheTraceKeepsThem() throws IOException {
        // the first batch of ops is read with the first line's tunables only
        Path f = write("bad-tunables.rep", "# tunables: nonsense\n" + "a 0 24\n".repeat(5000)
                + "# tunables: glibc.malloc.tcache_count=0\n");
        TraceFile t = TraceFile.unchecked(f, "bad-tunables.rep");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Function<String, ProcessOptions> refusing = own -> {
            if (made.isEmpty()) { // the first call
                t.startCheck();
            }
            made.add(own);
            if ("nonsense".equals(own)) {
                throw new IllegalArgumentException("refused: " + own);
            }
            return ProcessOptions.defaults().withTunables(own);
        };
        OffsetsReplay.run(t, refusing, out, Long.MAX_VALUE);
        assertThat(made).containsExactly("nonsense", "glibc.malloc.tcache_count=0");
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(sequential(f)).startsWith("a 0 H+");

        Path kept = write("kept.rep", "# tunables: nonsense\na 0 24\n");
        TraceFile k = TraceFile.unchecked(kept, "kept.rep");
        made.clear();
        Function<String, ProcessOptions> refusingK = own -> {
            k.startCheck();
            throw new IllegalArgumentException("refused: " + own);
        };
        assertThatThrownBy(() -> OffsetsReplay.run(k, refusingK, new ByteArrayOutputStream(), Long.MAX_VALUE))
                .hasMessage("refused: nonsense");
    }

    @Test
    void aFileThatCannotBeReadIsTheCheckError() {
        TraceFile t = TraceFile.checking(dir.resolve("missing.rep"), "missing.rep");
        assertThatThrownBy(() -> OffsetsReplay.run(t, own -> ProcessOptions.defaults(), new ByteArrayOutputStream()))
                .isInstanceOf(NoSuchFileException.class).isSameAs(t.readError());
    }

    @Test
    void aTraceWithoutOpsPrintsTheEpilogue() throws IOException {
        Path f = write("empty.rep", "# nothing\n\n");
        assertThat(ahead(f, Long.MAX_VALUE)).isEqualTo(sequential(f)).startsWith("brk H+0x0\nmallinfo arena=0 ");
    }

    /**
     * Standard output and error going to one place (a terminal, {@code 2>&1}): glibc's abort message comes
     * after every line printed before it, whether the replay held its output or not (it came first).
     */
    @Test
    void anAbortsMessageFollowsTheLinesBeforeItOnOneStream() throws IOException {
        // the heap given back under malloc and taken again zeroed: top's size is 0, and sysmalloc's assertion aborts
        Path f = write("top-lost.rep", "a 0 24\na 1 40\na 2 4000\ns -135168\ns 135168\na 3 200\n");
        String[] lines = {"a 0 H+0x2a0", "a 1 H+0x2c0", "a 2 H+0x2f0", "s H+0x0"};
        for (boolean held : new boolean[] {false, true}) {
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            java.io.PrintStream stream = new java.io.PrintStream(one, true);
            try {
                if (held) {
                    TraceFile t = TraceFile.unchecked(f, "top-lost.rep");
                    OffsetsReplay.run(t, own -> {
                        t.startCheck();
                        return ProcessOptions.defaults().withStderr(stream);
                    }, stream, 1 << 20);
                } else {
                    OffsetsReplay.run(TraceFile.open(f, "top-lost.rep"), ProcessOptions.defaults().withStderr(stream),
                            stream);
                }
            } catch (SimulatedSignal expected) {
                // the abort
            }
            String both = one.toString(StandardCharsets.ISO_8859_1);
            int message = both.indexOf("Fatal glibc error: malloc assertion failure in sysmalloc");
            assertThat(message).as(held + ": " + both).isPositive();
            for (String line : lines) {
                assertThat(both.indexOf(line)).as(held + ": " + both).isBetween(0, message);
            }
        }
    }
}
