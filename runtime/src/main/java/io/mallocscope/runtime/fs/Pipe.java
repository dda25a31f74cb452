package io.mallocscope.runtime.fs;

import java.util.ArrayDeque;

/** A pipe's buffer, 64 KiB as on Linux, and how many descriptions of each end are open. */
final class Pipe {
    static final int CAPACITY = 65536;
    /** Writes of at most this many bytes are atomic (never interleaved), as POSIX's PIPE_BUF. */
    static final int PIPE_BUF = 4096;

    final ArrayDeque<Byte> buffer = new ArrayDeque<>();
    int readers = 1;
    int writers = 1;
    final long ino;

    Pipe(long ino) {
        this.ino = ino;
    }

    int available() {
        return buffer.size();
    }

    int room() {
        return CAPACITY - buffer.size();
    }
}
