package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * The tcache: a per-thread stack of up to seven free chunks per size.
 *
 * <p>What to notice:
 * a) the tcache lives in the heap's first chunk: 64 two-byte counts at heap+0x10, then 64 list heads
 *    at heap+0x90; the count for 0x100 chunks (index 14) climbs to 7 and stops;
 * b) the eighth free of that size does not fit, so it goes to the unsorted bin instead;
 * c) malloc drains the tcache last-in first-out: the chunks come back in reverse order of freeing, and
 *    the count drops back to 0.
 *
 * <p>Run: {@code ./mallocscope run tcache-fill-and-drain}
 */
@Sample(name = "tcache-fill-and-drain", description = "seven chunks per size in the tcache, handed back LIFO")
public final class TcacheFillAndDrain implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        int tidx = (0x100 - 0x20) / 16;
        long count = heap + 0x10 + 2L * tidx;
        long head = heap + 0x90 + 8L * tidx;

        long[] p = new long[9];
        for (int i = 0; i < 9; i++) {
            p[i] = c.malloc(0xf8);
        }
        for (int i = 0; i < 8; i++) {
            c.free(p[i]);
            c.printf("free(p%d = break+0x%lx): tcache count %d, head break+0x%lx\n", i, p[i] - heap,
                    c.getShort(count), c.getLong(head) - heap);
        }
        c.printf("p7 went to the unsorted bin: fd and bk equal: %s\n",
                c.getLong(p[7]) == c.getLong(p[7] + 8) ? "yes" : "no");
        for (int i = 0; i < 7; i++) {
            long q = c.malloc(0xf8);
            c.printf("malloc(0xf8) = break+0x%lx, tcache count %d\n", q - heap, c.getShort(count));
        }
        return 0;
    }
}
