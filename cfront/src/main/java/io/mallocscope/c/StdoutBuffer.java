package io.mallocscope.c;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * glibc's buffering of stdout, in front of where the output really goes: fully buffered in
 * blocks of 4096 bytes on a pipe or file, line buffered on a terminal, unbuffered after
 * {@code setbuf(stdout, NULL)}. What is still in the buffer when the program aborts or crashes is
 * lost, as in C (abort does not flush stdio); {@code exit} and returning from main flush it.
 * A plain {@link #flush()} (what the simulated libc calls after each line) does nothing here.
 */
final class StdoutBuffer extends OutputStream implements io.mallocscope.runtime.StdoutFrontEnd {
    enum Mode { FULL, LINE, NONE }

    private final OutputStream sink;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private Mode mode;
    private final int size;

    StdoutBuffer(OutputStream sink, boolean terminal) {
        this.sink = sink;
        this.mode = terminal ? Mode.LINE : Mode.FULL;
        this.size = terminal ? 1024 : 4096;
    }

    void unbuffered() {
        drain();
        mode = Mode.NONE;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        try {
            switch (mode) {
                case NONE -> {
                    sink.write(b, off, len);
                    sink.flush();
                }
                case LINE -> {
                    buf.write(b, off, len);
                    int last = -1;
                    for (int i = off; i < off + len; i++) {
                        if (b[i] == '\n') {
                            last = i;
                        }
                    }
                    if (last >= 0 || buf.size() >= size) {
                        drain();
                    }
                }
                case FULL -> {
                    buf.write(b, off, len);
                    if (buf.size() >= size) {
                        byte[] all = buf.toByteArray();
                        int whole = all.length / size * size;
                        sink.write(all, 0, whole);
                        sink.flush();
                        buf.reset();
                        buf.write(all, whole, all.length - whole);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes written with write(2) go around the buffer. */
    void writeDirect(byte[] b) {
        try {
            sink.write(b);
            sink.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void flush() {
        // the simulated libc flushes after every line; glibc's buffering decides here instead
    }

    /** fflush(stdout), exit: everything buffered goes out. */
    void drain() {
        try {
            if (buf.size() > 0) {
                buf.writeTo(sink);
                buf.reset();
            }
            sink.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process died (abort, a signal, _exit): the buffer's contents never reach the output. */
    void discard() {
        buf.reset();
    }
}
