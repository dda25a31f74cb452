package io.mallocscope.runtime.fs;

import io.mallocscope.runtime.sched.Scheduler;
import io.mallocscope.runtime.sched.WaitQueue;

/**
 * A pipe: a 64 KiB buffer as on Linux, the descriptors open on each end (in every process), and
 * the processes blocked reading an empty pipe or writing a full one.
 */
final class Pipe {
    static final int CAPACITY = 65536;
    /** Writes of at most this many bytes are atomic (never split), as POSIX's PIPE_BUF. */
    static final int PIPE_BUF = 4096;

    private final byte[] ring = new byte[CAPACITY];
    private int head;
    private int count;
    int readers = 1;
    int writers = 1;
    final long ino;
    final WaitQueue readable;
    final WaitQueue writable;

    Pipe(long ino, Scheduler scheduler) {
        this.ino = ino;
        this.readable = new WaitQueue(scheduler);
        this.writable = new WaitQueue(scheduler);
    }

    int available() {
        return count;
    }

    int room() {
        return CAPACITY - count;
    }

    void put(byte[] src, int off, int n) {
        for (int i = 0; i < n; i++) {
            ring[(head + count + i) % CAPACITY] = src[off + i];
        }
        count += n;
    }

    byte[] take(int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = ring[(head + i) % CAPACITY];
        }
        head = (head + n) % CAPACITY;
        count -= n;
        return out;
    }
}
