package io.mallocscope.runtime;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * A program's stdout and stderr through one pipe, each write tagged with its stream, so that the process
 * reading the pipe ({@code mallocscope run}) passes them on in the order the program wrote them: two pipes
 * read by two threads can come out in either order. The program's JVM turns it on with the system property
 * {@code mallocscope.stdio=frames} ({@link ProcessOptions#fromEnvironment} calls {@link #installIfAsked}
 * before the first process is made): {@code System.out} and {@code System.err} then write frames to the
 * JVM's stdout, flushed when the JVM's own streams would have been. {@link #copy} reads them back.
 *
 * <p>A frame is a 0 byte, the stream (1 or 2), the length (4 bytes, big-endian) and that many bytes.
 * Bytes outside a frame (what the JVM itself prints on its stdout, e.g. {@code -Xlog}, or what was
 * printed before the streams were replaced) are passed on as stdout.
 */
public final class StdioFrames {
    /** The system property that turns frames on, and its value. */
    public static final String PROPERTY = "mallocscope.stdio";
    public static final String FRAMES = "frames";

    private static final int HEADER = 6;
    private static boolean installed;

    private StdioFrames() {
    }

    /** With {@code mallocscope.stdio=frames}: System.out and System.err write frames to the JVM's stdout (once). */
    public static synchronized void installIfAsked() {
        if (installed || !FRAMES.equals(System.getProperty(PROPERTY))) {
            return;
        }
        installed = true;
        OutputStream pipe = new FileOutputStream(FileDescriptor.out);
        System.setOut(printStream(pipe, LibC.STDOUT, charset("stdout")));
        System.setErr(printStream(pipe, LibC.STDERR, charset("stderr")));
    }

    /**
     * A print stream writing frames of {@code stream} to {@code pipe}, buffered and flushed as the JVM's own
     * {@code System.out} is (128 bytes, flushed after each write and line).
     */
    static PrintStream printStream(OutputStream pipe, int stream, Charset charset) {
        return new PrintStream(new BufferedOutputStream(new Framer(pipe, stream), 128), true, charset);
    }

    /** The charset the JVM gave its own stream ({@code stdout.encoding}, on 17 {@code sun.stdout.encoding}). */
    private static Charset charset(String stream) {
        String name = System.getProperty(stream + ".encoding", System.getProperty("sun." + stream + ".encoding"));
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /** Each write becomes one frame, written to the pipe in one piece. */
    private static final class Framer extends OutputStream {
        private final OutputStream pipe;
        private final byte stream;

        Framer(OutputStream pipe, int stream) {
            this.pipe = pipe;
            this.stream = (byte) stream;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            byte[] frame = new byte[HEADER + len];
            frame[1] = stream;
            frame[2] = (byte) (len >>> 24);
            frame[3] = (byte) (len >>> 16);
            frame[4] = (byte) (len >>> 8);
            frame[5] = (byte) len;
            System.arraycopy(b, off, frame, HEADER, len);
            synchronized (pipe) {
                pipe.write(frame);
            }
        }

        @Override
        public void flush() throws IOException {
            pipe.flush();
        }
    }

    /**
     * Copies what {@code pipe} carries, frames and loose bytes, to {@code out} (stream 1 and loose bytes) and
     * {@code err} (stream 2), each piece as soon as it has come, until the pipe ends; a frame cut short by
     * the end is passed on as far as it came.
     */
    public static void copy(InputStream pipe, OutputStream out, OutputStream err) throws IOException {
        byte[] buf = new byte[8192];
        int filled = 0;
        int at = 0;
        while (true) {
            if (at == filled) {
                filled = pipe.read(buf, 0, buf.length);
                at = 0;
                if (filled < 0) {
                    return;
                }
                continue;
            }
            if (buf[at] != 0) {
                int end = at;
                while (end < filled && buf[end] != 0) {
                    end++;
                }
                out.write(buf, at, end - at);
                at = end;
                continue;
            }
            // a frame: its header first, however the reads cut it
            if (filled - at < HEADER) {
                System.arraycopy(buf, at, buf, 0, filled - at);
                filled -= at;
                at = 0;
                int n = pipe.read(buf, filled, buf.length - filled);
                if (n < 0) {
                    return; // a header cut short: nothing of the frame's bytes came
                }
                filled += n;
                continue;
            }
            OutputStream to = buf[at + 1] == LibC.STDERR ? err : out;
            long left = ((buf[at + 2] & 0xffL) << 24) | ((buf[at + 3] & 0xff) << 16) | ((buf[at + 4] & 0xff) << 8)
                    | (buf[at + 5] & 0xff);
            at += HEADER;
            while (left > 0) {
                if (at == filled) {
                    filled = pipe.read(buf, 0, buf.length);
                    at = 0;
                    if (filled < 0) {
                        return;
                    }
                }
                int n = (int) Math.min(left, filled - at);
                to.write(buf, at, n);
                at += n;
                left -= n;
            }
        }
    }
}
