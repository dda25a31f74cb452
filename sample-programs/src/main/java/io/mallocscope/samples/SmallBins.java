package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Small bins: one exact size each, first in first out.
 *
 * <p>What to notice:
 * a) with the tcache for 0x90 and 0xa0 full, freed chunks of those sizes (too big for a fastbin) go to
 *    the unsorted bin, and a later large request sorts them into small bins, one bin per size;
 * b) the 0x90 bin then holds x and y, linked through main_arena, and the 0xa0 bin holds z alone;
 * c) calloc (which skips the tcache) takes from the small bin's tail: x, the older one, comes back
 *    first; a 0xa0 request gets z from its own bin.
 *
 * <p>Run: {@code ./mallocscope run small-bins}
 */
@Sample(name = "small-bins", description = "small bins: one size each, FIFO")
public final class SmallBins implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long[] fill = new long[14];
        for (int i = 0; i < 14; i++) {
            fill[i] = c.malloc(i < 7 ? 0x88 : 0x98);
        }
        long x = c.malloc(0x88);
        c.malloc(24);
        long y = c.malloc(0x88);
        c.malloc(24);
        long z = c.malloc(0x98);
        c.malloc(24);
        for (long f : fill) {
            c.free(f);
        }
        c.free(x);
        c.free(y);
        c.free(z);
        c.printf("x = break+0x%lx, y = break+0x%lx (0x90), z = break+0x%lx (0xa0) freed\n", x - heap, y - heap,
                z - heap);
        long big = c.malloc(0x500);
        c.printf("malloc(0x500) = break+0x%lx sorted them\n", big - heap);
        long bin90 = c.getLong(x);
        long binA0 = c.getLong(z);
        c.printf("0x90 bin: bin.fd = y: %s, y.fd = x: %s, x.fd = bin, x.bk = y: %s; the 0xa0 bin is 0x10 further: %s\n",
                c.getLong(bin90 + 0x10) == y - 16 ? "yes" : "no", c.getLong(y) == x - 16 ? "yes" : "no",
                c.getLong(x + 8) == y - 16 ? "yes" : "no", binA0 == bin90 + 0x10 ? "yes" : "no");
        long p = c.calloc(1, 0x88);
        long q = c.calloc(1, 0x88);
        long r = c.calloc(1, 0x98);
        c.printf("calloc 0x88 -> break+0x%lx, 0x88 -> break+0x%lx, 0x98 -> break+0x%lx\n", p - heap, q - heap,
                r - heap);
        return 0;
    }
}
