package io.mallocscope.runtime.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The byte parser (used for files) gives exactly what the line-by-line Reader parser gives. */
class TraceBytesTest {

    /** Everything a trace holds, or the error message. */
    static String describe(Trace t) {
        StringBuilder sb = new StringBuilder("tunables=" + t.tunables() + " maxId=" + t.maxId() + "\n");
        for (int i = 0; i < t.size(); i++) {
            sb.append(t.op(i).letter()).append(' ').append(t.id(i)).append(' ').append(t.arg1(i)).append(' ')
                    .append(t.arg2(i)).append('\n');
        }
        return sb.toString();
    }

    static String viaReader(String text) throws IOException {
        try {
            return describe(Trace.read("x.rep", new StringReader(text)));
        } catch (TraceFormatException e) {
            return "error: " + e.getMessage();
        }
    }

    static String viaBytes(String text) {
        try {
            Trace t = Trace.parseAscii("x.rep", text.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(t).as("ASCII text is parsed as bytes").isNotNull();
            return describe(t);
        } catch (TraceFormatException e) {
            return "error: " + e.getMessage();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a 0 24\nf 0\n",
        "a 0 24\r\nf 0\r\n",
        "a 0 24\rf 0\r",
        "a 0 24\n\rf 1\n",                // \n then \r: an empty line between
        "a 0 24",                          // no final newline
        "\n\n \t\n",
        "20000\n5\n12\n1\n\n# c\n# tunables: glibc.malloc.tcache_count=0 \na 0 24\nf 0\n",
        "1\n2\n3\n4\n5\na 0 1\n",          // five header lines
        "a 0 1\n7\n",                      // number after the first op
        "  a\t 7 \f 9 \u000b \nm 1 64 100\nt 12\n",
        "a 4194303 1\n",
        "a 4194304 1\n",                   // ID too large
        "a 99999999999999999999 1\n",
        "a 1 18446744073709551615\n",      // the largest unsigned
        "a 1 18446744073709551616\n",
        "a 1 000000000000000000000000042\n",
        "a 1 -5\n",
        "a 1 +5\n",
        "a 1 5x\n",
        "a 1\n",
        "a 1 2 3\n",
        "f\n",
        "f 1 2\n",
        "ab 1 2\n",
        "x 1 2\n",
        "m 1 64\n",
        "t\n",
        "t -1\n",
        "o 1 -2\ns -4096\ns +4096\ns 4096\n",
        "o 1 99999999999\n",
        "a 1 2 3 4 5 6 7 8\n",
        "#\n# tunables:\n",
        "a 0 24\n#x\n  # y\nf 0",
        "c 3 0\nr 3 100\nr 3 0\n",
    })
    void sameAsTheReaderParser(String text) throws IOException {
        assertThat(viaBytes(text)).isEqualTo(viaReader(text));
        for (int piece : new int[] {1, 2, 3, 7}) {
            assertThat(viaStream(text, piece)).as("read %d bytes at a time", piece).isEqualTo(viaReader(text));
        }
    }

    /** Parsed from a stream that gives at most {@code piece} bytes a read: lines and \r\n cut anywhere. */
    static String viaStream(String text, int piece) throws IOException {
        InputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, piece));
            }
        };
        try {
            return describe(Trace.read("x.rep", in));
        } catch (TraceFormatException e) {
            return "error: " + e.getMessage();
        }
    }

    /** Lines longer than the stream parser's buffer, and a million-byte comment, read as the bytes parser reads them. */
    @Test
    void linesLongerThanTheStreamBufferAreWhole() throws IOException {
        String text = "a 0 24\n# " + "x".repeat(1 << 20) + "\r\n" + " ".repeat(300_000) + "f 0\r\nc 1 "
                + "0".repeat(600_000) + "7\n";
        assertThat(viaStream(text, 100_000)).isEqualTo(viaReader(text)).contains("c 1 7 0");
        String bad = "a 0 24\n" + "a 1 " + "9".repeat(700_000) + "\n";
        assertThat(viaStream(bad, 65_536)).isEqualTo(viaReader(bad)).startsWith("error: x.rep:2: ");
    }

    /** A trace file checked once and read again op by op replays to the very bytes the parsed trace does. */
    @Test
    void aStreamedReplayPrintsWhatTheParsedTraceDoes(@TempDir Path dir) throws IOException {
        StringBuilder text = new StringBuilder("# tunables: glibc.malloc.tcache_count=3\n");
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            int id = rnd.nextInt(300);
            switch (rnd.nextInt(6)) {
                case 0, 1 -> text.append("a ").append(id).append(' ').append(rnd.nextInt(3000)).append('\n');
                case 2 -> text.append("c ").append(id).append(' ').append(rnd.nextInt(200_000)).append('\n');
                case 3 -> text.append("r ").append(id).append(' ').append(rnd.nextInt(5000)).append('\n');
                case 4 -> text.append("f ").append(id).append('\n');
                default -> text.append(rnd.nextInt(50) == 0 ? "t 0\n" : "m " + id + " 64 " + rnd.nextInt(500) + "\n");
            }
        }
        text.append("s 4096\ns -4096\no 1 0\n");
        Path f = dir.resolve("mixed.rep");
        Files.writeString(f, text, StandardCharsets.US_ASCII);
        StringBuilder parsed = new StringBuilder();
        OffsetsReplay.run(Trace.read(f), io.mallocscope.runtime.ProcessOptions.defaults(), parsed);
        TraceFile streamed = TraceFile.open(f, "mixed.rep");
        assertThat(streamed.size()).isEqualTo(20_003);
        assertThat(streamed.tunables()).isEqualTo("glibc.malloc.tcache_count=3");
        assertThat(streamed.maxId()).isEqualTo(Trace.read(f).maxId());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        OffsetsReplay.run(streamed, io.mallocscope.runtime.ProcessOptions.defaults(), bytes);
        assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo(parsed.toString()).contains("\nmallinfo arena=");
    }

    /** A bad line is found when the file is opened, before a replay prints anything. */
    @Test
    void aStreamedTraceIsCheckedWholeFirst(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("late.rep");
        Files.writeString(f, "a 0 24\n".repeat(5000) + "a 1 -1\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TraceFile.open(f, "late.rep")).isInstanceOf(TraceFormatException.class)
                .hasMessage("late.rep:5001: expected an unsigned number, got '-1'");
    }

    @Test
    void sameAsTheReaderParserOnRandomLines() throws IOException {
        String[] pieces = {"a", "f", "r", "c", "m", "t", "o", "s", "#", "0", "1", "42", "4194303", "4194304", "-3",
            "+3", "18446744073709551615", "99999999999999999999", "x", "", " ", "\t", "\r", "\n", "\r\n"};
        Random rnd = new Random(42);
        for (int round = 0; round < 3000; round++) {
            StringBuilder sb = new StringBuilder();
            int tokens = rnd.nextInt(30);
            for (int k = 0; k < tokens; k++) {
                sb.append(pieces[rnd.nextInt(pieces.length)]);
                if (rnd.nextInt(3) > 0) {
                    sb.append(rnd.nextBoolean() ? " " : "\n");
                }
            }
            String text = sb.toString();
            assertThat(viaBytes(text)).as("%s", text.replace("\n", "\\n").replace("\r", "\\r")).isEqualTo(viaReader(text));
        }
    }

    @Test
    void aFileIsReadLikeTheReaderReadsIt(@TempDir Path dir) throws IOException {
        String text = "2\n# tunables: glibc.malloc.mmap_threshold=4096\na 0 24\r\nm 1 64 100\nr 0 5000\nf 1\nt 0\no 1 0\ns 4096\n";
        Path f = dir.resolve("t.rep");
        Files.writeString(f, text, StandardCharsets.US_ASCII);
        Trace t = Trace.read(f);
        assertThat(describe(t)).isEqualTo(viaReader(text));
        assertThat(t.tunables()).isEqualTo("glibc.malloc.mmap_threshold=4096");
        assertThat(t.size()).isEqualTo(7);
        assertThat(t.arg2(1)).isEqualTo(100);
    }

    @Test
    void errorsNameTheFileAndLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.rep");
        Files.writeString(f, "a 0 24\n\nf 0\nq 1\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Trace.read(f)).isInstanceOf(TraceFormatException.class)
                .hasMessage(f + ":4: unknown op 'q' (expected one of a f r c t m o s)");
    }

    /** A trace is bytes: other bytes are fine in comments, and reported with file and line elsewhere. */
    @Test
    void nonAsciiBytesAreAcceptedInCommentsAndNamedElsewhere(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("u.rep");
        Files.write(f, "# gr\u00f6\u00dfe (UTF-8)\na 0 24\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Trace.read(f).size()).isEqualTo(1);
        Files.write(f, new byte[] {'#', ' ', 'c', 'a', 'f', (byte) 0xe9, '\n', 'a', ' ', '0', ' ', '2', '4', '\n'});
        assertThat(Trace.read(f).size()).as("a Latin-1 comment").isEqualTo(1);
        Files.write(f, "a 0 24\n\u00e4 1\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Trace.read(f)).isInstanceOf(TraceFormatException.class)
                .hasMessage(f + ":2: byte 0xc3 in '\\xc3\\xa4 1': operations are plain ASCII (other bytes only in # comments)");
        Files.write(f, new byte[] {'a', ' ', '0', ' ', '2', '4', '\n', 'f', ' ', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> Trace.read(f)).isInstanceOf(TraceFormatException.class)
                .hasMessage(f + ":2: byte 0xff in 'f \\xff': operations are plain ASCII (other bytes only in # comments)");
    }

    @Test
    void binaryGarbageIsALineError(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bin.rep");
        Files.write(f, new byte[] {0, 1, 2, (byte) 0x89, 'P', 'N', 'G'});
        assertThatThrownBy(() -> Trace.read(f)).isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith(f + ":1: byte 0x00 in '\\x00\\x01\\x02\\x89PNG'");
    }

    @Test
    void aUtf8ByteOrderMarkIsSkipped(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bom.rep");
        Files.write(f, new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, 'a', ' ', '0', ' ', '2', '4', '\n'});
        Trace t = Trace.read(f);
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.arg1(0)).isEqualTo(24);
        assertThat(Trace.parse("s", "\uFEFFa 0 24\n").size()).isEqualTo(1);
    }

    @Test
    void aHugeTokenIsCutShortInTheMessage() {
        String digits = "9".repeat(1_000_000);
        assertThatThrownBy(() -> Trace.parse("big.rep", "a 0 " + digits + "\n")).isInstanceOf(TraceFormatException.class)
                .hasMessage("big.rep:1: expected an unsigned number, got '" + "9".repeat(40)
                        + "… (1000000 characters)' (too large)");
    }
}
