package io.mallocscope.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The process's standard output for the commands: unlike {@code System.out}, which swallows write errors,
 * the first failed write stops the command ({@link Failed}): a closed pipe ({@code timeline big | head -1})
 * ends it at once and quietly with status 141, as SIGPIPE ends a C tool; any other error ({@code > /dev/full})
 * is one line and status 1.
 */
final class Stdout {
    /** Status of a process killed by SIGPIPE, as a shell shows it. */
    static final int BROKEN_PIPE = 141;

    /** A write to standard output failed; carries why. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(IOException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        boolean brokenPipe() {
            String m = getMessage();
            return m != null && (m.contains("Broken pipe") || m.contains("Stream closed"));
        }

        /** Reports the failure on {@code err} (nothing for a closed pipe) and gives the status to end with. */
        int report(PrintWriter err) {
            if (brokenPipe()) {
                return BROKEN_PIPE;
            }
            err.println("mallocscope: cannot write to standard output: " + getMessage());
            err.flush();
            return Exit.DATA;
        }
    }

    private Stdout() {
    }

    /** A writer on file descriptor 1 that throws {@link Failed} at the first write error. */
    static PrintWriter writer() {
        return writer(new FileOutputStream(FileDescriptor.out));
    }

    static PrintWriter writer(OutputStream fd) {
        OutputStream checked = new OutputStream() {
            @Override
            public void write(int b) {
                try {
                    fd.write(b);
                } catch (IOException e) {
                    throw new Failed(e);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    fd.write(b, off, len);
                } catch (IOException e) {
                    throw new Failed(e);
                }
            }

            @Override
            public void flush() {
                try {
                    fd.flush();
                } catch (IOException e) {
                    throw new Failed(e);
                }
            }
        };
        return new Bytes(checked);
    }

    /**
     * The writer on standard output, which also hands out the byte stream under it, for output that
     * is ASCII already (the millions of lines of {@code replay --format offsets}): no chars to encode.
     */
    static final class Bytes extends PrintWriter {
        private final OutputStream checked;

        private Bytes(OutputStream checked) {
            super(new BufferedWriter(new OutputStreamWriter(checked, StandardCharsets.UTF_8), 1 << 16), false);
            this.checked = checked;
        }

        /** The stream this writer writes to, everything written so far flushed to it first. */
        OutputStream stream() {
            flush();
            return checked;
        }
    }

    /**
     * The byte stream under {@code out} when it is standard output's writer (everything written so far
     * flushed to it first), for output encoded as UTF-8 by its writer; null for any other writer.
     */
    static OutputStream utf8(PrintWriter out) {
        return out instanceof Bytes b ? b.stream() : null;
    }

    /**
     * Bytes of ASCII for {@code out}: straight to standard output when {@code out} is its writer,
     * else (a test's writer) each byte as the char of the same value.
     */
    static OutputStream ascii(PrintWriter out) {
        if (out instanceof Bytes b) {
            return b.stream();
        }
        return new OutputStream() {
            @Override
            public void write(int b) {
                out.write(b & 0xff);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                out.write(new String(b, off, len, StandardCharsets.ISO_8859_1));
            }
        };
    }
}
