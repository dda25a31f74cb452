package io.mallocscope.agent;

import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.StdoutTap;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The recorded process's stdout or stderr: every byte goes on to the stream the program was given,
 * unchanged, and is handed to {@link Recorder#output} as it passes. Installed in place of the
 * process's streams when the recorded {@code CProcess} is made, so it sees everything the process
 * prints — the program's printf/puts/putchar, glibc's messages (malloc_printerr, malloc_stats,
 * malloc_info, a failed assert) and the shell's "Aborted" / "Segmentation fault" line — without
 * an advice on each of those paths.
 */
final class OutputTee extends OutputStream {
    private final PrintStream target;
    private final int stream;

    private OutputTee(PrintStream target, int stream) {
        this.target = target;
        this.stream = stream;
    }

    /**
     * A print stream that writes to {@code target} and records on {@code stream} (1 or 2). Text is
     * encoded with {@code target}'s own charset, so what reaches the terminal is what it was.
     */
    static PrintStream around(PrintStream target, int stream) {
        OutputTee tee = new OutputTee(target, stream);
        return stream == LibC.STDOUT ? new Tap(tee) : new PrintStream(tee, false, charsetOf(target));
    }

    /**
     * The tee on stdout, which is also the process's {@link StdoutTap}: stdio's output is recorded
     * when the program prints it and reaches {@code target} when glibc would write it (so
     * {@code _exit} or a signal can lose it there, as in C, while the recording keeps it at its call).
     */
    private static final class Tap extends PrintStream implements StdoutTap {
        private final OutputTee tee;

        Tap(OutputTee tee) {
            super(tee, false, charsetOf(tee.target));
            this.tee = tee;
        }

        @Override
        public void printed(byte[] b, int off, int len) {
            Recorder.output(tee.stream, b, off, len);
        }

        @Override
        public PrintStream sink() {
            return tee.target;
        }
    }

    @Override
    public void write(int b) {
        target.write(b);
        Recorder.output(stream, new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        target.write(b, off, len);
        Recorder.output(stream, b, off, len);
    }

    @Override
    public void flush() {
        target.flush();
    }

    @Override
    public void close() {
        target.close();
    }

    private static final MethodHandle CHARSET = charsetAccessor();

    /** {@code PrintStream.charset()} where the JDK has it (18 and later). */
    private static MethodHandle charsetAccessor() {
        try {
            return MethodHandles.publicLookup().findVirtual(PrintStream.class, "charset",
                    MethodType.methodType(Charset.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /**
     * The charset {@code ps} encodes text with. JDK 17 cannot tell; there the JVM's own streams use
     * {@code sun.stdout.encoding}/{@code sun.stderr.encoding} or the default charset, and any other
     * stream is taken to be UTF-8, which is what {@code ProcessOptions.withStdout(OutputStream)} makes.
     */
    static Charset charsetOf(PrintStream ps) {
        if (CHARSET != null) {
            try {
                return (Charset) CHARSET.invoke(ps);
            } catch (Throwable ignored) {
                // fall through to the JDK 17 guess
            }
        }
        if (ps == System.out || ps == System.err) {
            String enc = System.getProperty(ps == System.out ? "sun.stdout.encoding" : "sun.stderr.encoding");
            try {
                return enc != null ? Charset.forName(enc) : Charset.defaultCharset();
            } catch (RuntimeException e) {
                return Charset.defaultCharset();
            }
        }
        return StandardCharsets.UTF_8;
    }
}
