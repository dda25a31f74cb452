package coursework.heap;

import io.mallocscope.runtime.LibC;

/**
 * Exercise 1, the program. Do not change it: predict, in {@link Predictions}, where each of its
 * allocations lands, as an offset from the start of the heap (the initial program break).
 *
 * <p>Facts you will need (glibc 2.36, x86_64): the first chunk of the heap is the 0x290-byte tcache
 * chunk; a request of n bytes gets a chunk of max(0x20, n + 8 rounded up to 16); the pointer malloc
 * returns is the chunk's address + 0x10; a freed chunk of up to 0x410 goes to the tcache and is
 * handed back, last in first out, to the next request of the same chunk size; a freed chunk next to
 * the top chunk that is too big for the tcache merges into top.
 */
public final class AllocationPuzzle {
    private AllocationPuzzle() {
    }

    /** Runs the allocations and returns the seven pointers, in order: a, b, d, e, f, g, h. */
    public static long[] run(LibC c) {
        long a = c.malloc(24);
        long b = c.malloc(40);
        long d = c.malloc(0x100);
        c.free(a);
        long e = c.malloc(16);
        c.free(b);
        long f = c.malloc(0x20);
        long g = c.malloc(0x500);
        c.free(g);
        long h = c.malloc(0x80);
        return new long[] {a, b, d, e, f, g, h};
    }
}
