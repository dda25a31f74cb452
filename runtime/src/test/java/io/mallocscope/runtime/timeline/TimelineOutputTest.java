package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.mallocscope.runtime.timeline.TimelineCodecTest.HEAP;
import static io.mallocscope.runtime.timeline.TimelineCodecTest.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code output} event (format version 2): what the process printed, placed among the calls. */
public class TimelineOutputTest {

    private static void out(TimelineWriter w, int stream, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        w.output(stream, b, 0, b.length);
    }

    /**
     * A banner before the first call, glibc's message inside a free that aborts, the program's lines
     * between calls, a character printed a byte at a time, and the shell's line at the end.
     */
    /** A timeline of a program printing, as bytes (the JSON Lines export's test in cli reads it too). */
    public static byte[] printing() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 1000, e -> { });
        out(w, 2, "Allocating 2 buffers.\n");                               // 0, step 0
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);                     // 1
        w.ret(Functions.MALLOC, HEAP + 0x2a0);                              // 2
        out(w, 1, "a = 0x5555555592a0\n");                                 // 3, step 1
        out(w, 1, "caf");                                                    // 4
        w.output(1, new byte[] {(byte) 0xC3}, 0, 1);                        // 5: é, one byte at a time
        w.output(1, new byte[] {(byte) 0xA9, '\n'}, 0, 2);                  // 6
        out(w, 2, "naïve \"quotes\"\ttab ✓ 😀\n");                         // 7
        w.call(Functions.FREE, 0, HEAP + 0x2a0, 0, 0, 0, 0, 0);            // 8
        w.ret(Functions.FREE, 0);                                           // 9
        w.call(Functions.FREE, 0, HEAP + 0x2a0, 0, 0, 0, 0, 0);            // 10
        out(w, 2, "free(): double free detected in tcache 2\n");           // 11, depth 1, step 3
        w.abort("free(): double free detected in tcache 2");                // 12
        w.unwound(6);                                                       // 13
        out(w, 2, "Aborted\n");                                             // 14
        w.close();
        return bytes.toByteArray();
    }

    @Test
    void outputEventsKeepStreamBytesDepthAndStep() throws IOException {
        Timeline t = Timeline.parse(printing(), "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.size()).isEqualTo(15);
        assertThat(t.steps()).isEqualTo(3);
        assertThat(t.header().version()).isEqualTo(5);

        Event banner = t.event(0);
        assertThat(banner.kind()).isEqualTo(EventKind.OUTPUT);
        assertThat(banner.stream()).isEqualTo(2);
        assertThat(banner.streamName()).isEqualTo("stderr");
        assertThat(banner.text()).isEqualTo("Allocating 2 buffers.\n");
        assertThat(banner.length()).isEqualTo(22);
        assertThat(banner.depth()).isZero();
        assertThat(t.stepOf(0)).isZero();

        assertThat(t.event(3).streamName()).isEqualTo("stdout");
        assertThat(t.event(5).bytes()).containsExactly(0xC3);
        assertThat(t.event(7).text()).isEqualTo("naïve \"quotes\"\ttab ✓ 😀\n");
        Event glibc = t.event(11);
        assertThat(glibc.depth()).isEqualTo(1);
        assertThat(glibc.text()).isEqualTo("free(): double free detected in tcache 2\n");
        assertThat(t.event(12).kind()).isEqualTo(EventKind.ABORT);
        assertThat(t.event(14).text()).isEqualTo("Aborted\n");
        assertThat(t.event(14).depth()).isZero();
        assertThat(t.event(14).toString()).isEqualTo("#14 output stderr \"Aborted\\n\"");
        assertThatThrownBy(() -> t.event(3).address()).isInstanceOf(IllegalStateException.class)
                .hasMessage("an output event has no such value");
    }

    @Test
    void outputIsGroupedByStepWithAdjacentPiecesJoined() throws IOException {
        Timeline t = Timeline.parse(printing(), "mem");
        assertThat(t.outputRecorded()).isFalse(); // the test header has no record= field
        assertThat(t.outputOfStep(0)).containsExactly(new ProgramOutput(0, 0, 0, 2, "Allocating 2 buffers.\n"));
        assertThat(t.outputOfStep(1)).containsExactly(
                new ProgramOutput(3, 1, 0, 1, "a = 0x5555555592a0\ncafé\n"),
                new ProgramOutput(7, 1, 0, 2, "naïve \"quotes\"\ttab ✓ 😀\n"));
        assertThat(t.outputOfStep(2)).isEmpty();
        assertThat(t.outputOfStep(3)).containsExactly(
                new ProgramOutput(11, 3, 1, 2, "free(): double free detected in tcache 2\n"),
                new ProgramOutput(14, 3, 0, 2, "Aborted\n"));
        assertThat(t.outputUpTo(1)).extracting(ProgramOutput::seq).containsExactly(0, 3, 7);
        assertThat(t.outputUpTo(3)).isEqualTo(t.output());
        assertThat(String.join("", t.output().stream().map(ProgramOutput::text).toList())).isEqualTo(
                "Allocating 2 buffers.\na = 0x5555555592a0\ncafé\nnaïve \"quotes\"\ttab ✓ 😀\n"
                        + "free(): double free detected in tcache 2\nAborted\n");
        assertThat(t.output().get(1).isStderr()).isFalse();
        assertThat(t.output().get(1).streamName()).isEqualTo("stdout");
        assertThatThrownBy(() -> t.outputOfStep(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void largeOutputIsCutBetweenCharacters() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 100_000) {
            sb.append("línea ").append(sb.length()).append(" €😀\n");
        }
        String big = sb.toString();
        byte[] b = big.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 1000, e -> { });
        w.call(Functions.MALLOC, 0, 4096, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, HEAP + 0x2a0);
        w.output(1, b, 0, b.length);
        w.close();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");

        int pieces = t.size() - 2;
        assertThat(pieces).isGreaterThanOrEqualTo(b.length / TimelineWriter.MAX_OUTPUT_PIECE);
        StringBuilder joined = new StringBuilder();
        long total = 0;
        for (int i = 2; i < t.size(); i++) {
            Event e = t.event(i);
            assertThat(e.length()).isLessThanOrEqualTo(TimelineWriter.MAX_OUTPUT_PIECE);
            assertThat(e.text()).doesNotContain("\uFFFD");
            joined.append(e.text());
            total += e.length();
        }
        assertThat(total).isEqualTo(b.length);
        assertThat(joined.toString()).isEqualTo(big);
        assertThat(t.outputOfStep(1)).containsExactly(new ProgramOutput(2, 1, 0, 1, big));
        // compact: the text itself, plus a few bytes a record
        assertThat(bytes.size()).isLessThan(b.length + 200);
    }

    @Test
    void bytesThatAreNotUtf8AreCutAnywhereAndReadAsReplacement() {
        byte[] b = new byte[TimelineWriter.MAX_OUTPUT_PIECE + 10];
        java.util.Arrays.fill(b, (byte) 0x80);
        assertThat(TimelineWriter.utf8Cut(b, 0, b.length)).isEqualTo(TimelineWriter.MAX_OUTPUT_PIECE);
        b[TimelineWriter.MAX_OUTPUT_PIECE - 2] = (byte) 0xE2; // a 3-byte character starts 2 bytes before the cut
        assertThat(TimelineWriter.utf8Cut(b, 0, b.length)).isEqualTo(TimelineWriter.MAX_OUTPUT_PIECE - 2);
        assertThat(TimelineWriter.utf8Cut(b, 0, 5)).isEqualTo(5);
    }

    @Test
    void onlyStdoutAndStderrAreStreams() throws IOException {
        TimelineWriter w = new TimelineWriter(new ByteArrayOutputStream(), "mem", header(), 1000, e -> { });
        assertThatThrownBy(() -> w.output(0, new byte[1], 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("output stream 0 is not 1 (stdout) or 2 (stderr)");
        w.output(1, new byte[0], 0, 0);
        assertThat(w.events()).isZero();
        w.close();
    }

    @Test
    void versionOneFilesStillReadAndLaterVersionsAreRefused() throws IOException {
        byte[] v2 = TimelineCodecTest.sample(new ArrayList<>());
        assertThat(v2[TimelineFormat.MAGIC.length]).isEqualTo((byte) 5);
        byte[] v1 = v2.clone();
        v1[TimelineFormat.MAGIC.length] = 1; // a version 1 writer wrote the same bytes: no output record existed
        Timeline old = Timeline.parse(v1, "old");
        assertThat(old.problem()).isEmpty();
        assertThat(old.header().version()).isEqualTo(1);
        assertThat(old.size()).isEqualTo(19);
        assertThat(old.event(16).message()).isEqualTo("free(): double free detected in tcache 2");
        assertThat(old.output()).isEmpty();
        assertThat(old.outputRecorded()).isFalse();

        byte[] v3 = v2.clone();
        v3[TimelineFormat.MAGIC.length] = 3; // a version 3 writer wrote the same bytes: no context record existed
        assertThat(Timeline.parse(v3, "v3").size()).isEqualTo(19);

        byte[] v4 = v2.clone();
        v4[TimelineFormat.MAGIC.length] = 4; // a version 4 writer wrote the same bytes: no write had a site
        assertThat(Timeline.parse(v4, "v4").size()).isEqualTo(19);

        byte[] v6 = v2.clone();
        v6[TimelineFormat.MAGIC.length] = 6;
        assertThatThrownBy(() -> Timeline.parse(v6, "new"))
                .isInstanceOf(IOException.class)
                .hasMessage("new: timeline format version 6 is not supported (this reader knows 1 to 5)");
    }

    @Test
    void theHeaderSaysWhetherOutputWasRecorded() throws IOException {
        var fields = new java.util.LinkedHashMap<>(header().fields());
        fields.put(TimelineHeader.RECORD, "calls+transitions+syscalls+writes+output");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineHeader.of(fields), 1000, e -> { });
        w.close();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        assertThat(t.header().recorded("output")).isTrue();
        assertThat(t.header().recorded("writes")).isTrue();
        assertThat(t.header().recorded("out")).isFalse();
        assertThat(t.outputRecorded()).isTrue();
        assertThat(t.output()).isEmpty();
        assertThat(t.outputUpTo(0)).isEmpty();
    }

    @Test
    void aDamagedBlockDropsItsOutputToo() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 1000, e -> { });
        out(w, 1, "kept\n");
        w.flush();
        out(w, 1, "lost\n");
        w.close();
        byte[] b = bytes.toByteArray();
        b[b.length - 2] ^= 0x55;
        Timeline t = Timeline.parse(b, "bad");
        assertThat(t.problem()).isPresent();
        assertThat(t.output()).containsExactly(new ProgramOutput(0, 0, 0, 1, "kept\n"));
    }
}
