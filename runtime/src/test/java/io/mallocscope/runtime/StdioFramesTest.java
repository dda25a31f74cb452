package io.mallocscope.runtime;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StdioFramesTest {
    /** What one side received, each write as "1:text" or "2:text", in the order they came. */
    private static final class Log {
        final List<String> writes = new ArrayList<>();

        OutputStream stream(int n) {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    writes.add(n + ":" + new String(b, off, len, StandardCharsets.ISO_8859_1));
                }
            };
        }
    }

    private static List<String> copied(InputStream pipe) throws IOException {
        Log log = new Log();
        StdioFrames.copy(pipe, log.stream(1), log.stream(2));
        return log.writes;
    }

    @Test
    void stdoutAndStderrOnOnePipeComeOutInTheOrderTheyWereWritten() throws IOException {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        PrintStream out = StdioFrames.printStream(pipe, 1, StandardCharsets.UTF_8);
        PrintStream err = StdioFrames.printStream(pipe, 2, StandardCharsets.UTF_8);
        out.print("a = break+0x2a0\n");
        err.print("==1== Invalid free()\n");
        out.print("x");
        out.flush(); // a print without a newline waits in the 128-byte buffer, as in System.out
        err.print("Aborted\n");
        assertThat(copied(new ByteArrayInputStream(pipe.toByteArray())))
                .containsExactly("1:a = break+0x2a0\n", "2:==1== Invalid free()\n", "1:x", "2:Aborted\n");
    }

    @Test
    void aFrameIsOneWriteWithItsStreamAndLength() {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        PrintStream err = StdioFrames.printStream(pipe, 2, StandardCharsets.UTF_8);
        err.print("é\n");
        assertThat(pipe.toByteArray()).containsExactly(0, 2, 0, 0, 0, 3, 0xc3, 0xa9, '\n');
    }

    @Test
    void bytesOutsideFramesAreStdoutAndFramesMayHoldZeroBytes() throws IOException {
        byte[] pipe = {'j', 'v', 'm', '\n', 0, 2, 0, 0, 0, 2, 0, 'z', 'h', 'i', 0, 1, 0, 0, 0, 1, 0};
        assertThat(copied(new ByteArrayInputStream(pipe)))
                .containsExactly("1:jvm\n", "2:\0z", "1:hi", "1:\0");
    }

    @Test
    void framesCutByTheReadsAnywhereStillComeOutWhole() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = StdioFrames.printStream(bytes, 1, StandardCharsets.UTF_8);
        PrintStream err = StdioFrames.printStream(bytes, 2, StandardCharsets.UTF_8);
        String big = "y".repeat(20_000);
        out.print("one\n");
        err.print(big);
        out.print("two\n");
        InputStream byteAtATime = new ByteArrayInputStream(bytes.toByteArray()) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        StringBuilder joined = new StringBuilder();
        char stream = 0;
        for (String w : copied(byteAtATime)) {
            if (w.charAt(0) != stream) {
                joined.append(stream == 0 ? "" : "|").append(w, 0, 2);
                stream = w.charAt(0);
            }
            joined.append(w.substring(2));
        }
        assertThat(joined.toString()).isEqualTo("1:one\n|2:" + big + "|1:two\n");
    }

    @Test
    void aFrameCutShortByThePipesEndPassesOnWhatCame() throws IOException {
        byte[] pipe = {0, 1, 0, 0, 0, 9, 'a', 'b'};
        assertThat(copied(new ByteArrayInputStream(pipe))).containsExactly("1:ab");
        assertThat(copied(new ByteArrayInputStream(new byte[] {'k', 0, 1, 0}))).containsExactly("1:k");
    }
}
