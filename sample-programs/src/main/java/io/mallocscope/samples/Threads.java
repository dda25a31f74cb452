package io.mallocscope.samples;

import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ThreadBody;

/** What the threaded samples share, as their C twins' {@code threads.h}. */
final class Threads {
    /** HEAP_MAX_SIZE: a non-main arena's heaps are this big and aligned to it. */
    static final long HEAP_MAX_SIZE = 64L << 20;

    private Threads() {
    }

    /** heap_for_ptr: the 64 MiB-aligned heap a non-main arena's chunk lies in. */
    static long heapOf(long p) {
        return p & ~(HEAP_MAX_SIZE - 1);
    }

    /** pthread_create with an explicit 8 MiB stack; the new thread's pthread_t. */
    static long spawn(LibC c, ThreadBody body, long arg) {
        long attr = c.local(0x40);
        long thread = c.local(8);
        c.pthread_attr_init(attr);
        c.pthread_attr_setstacksize(attr, 8L << 20);
        c.pthread_create(thread, attr, body, arg);
        return c.getLong(thread);
    }

    static String yn(boolean b) {
        return b ? "yes" : "no";
    }
}
