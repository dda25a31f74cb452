package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * From the number of bytes asked for to the size of the chunk given.
 *
 * <p>What to notice:
 * a) the chunk size is the request plus 8 (the size word), rounded up to 16, and never below 0x20, so
 *    requests 0 to 24 all get the minimum 0x20 chunk;
 * b) each chunk starts right where the previous one ended: the addresses step by the chunk sizes;
 * c) {@code malloc_usable_size} is the chunk size minus 8, often more than was asked for: 25 bytes
 *    give 40 usable.
 *
 * <p>Run: {@code ./mallocscope run request-rounding}
 */
@Sample(name = "request-rounding", description = "request to chunk size: +8, round up to 16, minimum 0x20")
public final class RequestRounding implements CProgram {
    static final long[] REQUESTS = {0, 1, 24, 25, 40, 41, 100, 1000, 1001, 1032, 1033};

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        for (long n : REQUESTS) {
            long p = c.malloc(n);
            c.printf("malloc(%4zu) = break+0x%04lx  chunk 0x%03lx  usable %4zu\n", n, p - heap, c.getLong(p - 8) & ~7L,
                    c.malloc_usable_size(p));
        }
        return 0;
    }
}
