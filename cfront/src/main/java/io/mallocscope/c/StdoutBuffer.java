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
 *
 * <p>Each process has its own buffer ({@link State}): a forked child starts with a copy of what its
 * parent's held at the fork, as in C, so both write it unless it was flushed first. The processes
 * of a run share this sink and each runs on its own Java threads, so the buffer in use is the
 * calling thread's ({@link #bind}); threads that never bound one use the program's.
 */
final class StdoutBuffer extends OutputStream implements io.mallocscope.runtime.StdoutFrontEnd {
    enum Mode { FULL, LINE, NONE }

    /** One process's buffer: what it holds and how it is flushed. */
    static final class State {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private Mode mode;

        State(Mode mode) {
            this.mode = mode;
        }

        /** A forked child's buffer: the same bytes, the same mode. */
        State copy() {
            State c = new State(mode);
            c.buf.writeBytes(buf.toByteArray());
            return c;
        }
    }

    private final OutputStream sink;
    private final int size;
    private final State program;
    private final ThreadLocal<State> current;

    StdoutBuffer(OutputStream sink, boolean terminal) {
        this.sink = sink;
        this.program = new State(terminal ? Mode.LINE : Mode.FULL);
        this.current = ThreadLocal.withInitial(() -> program);
        this.size = terminal ? 1024 : 4096;
    }

    /** The calling thread's process's buffer. */
    State state() {
        return current.get();
    }

    /** The calling thread runs the process whose buffer is {@code s} from now on. */
    void bind(State s) {
        current.set(s);
    }

    void unbuffered() {
        drain();
        state().mode = Mode.NONE;
    }

    /** Whether the calling thread's process made stdout unbuffered (glibc's printf then goes through buffered_vfprintf). */
    boolean isUnbuffered() {
        return state().mode == Mode.NONE;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        State st = state();
        ByteArrayOutputStream buf = st.buf;
        try {
            switch (st.mode) {
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
                        drain(buf);
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
        drain(state().buf);
    }

    private void drain(ByteArrayOutputStream buf) {
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
        state().buf.reset();
    }
}
