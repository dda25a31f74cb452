package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * calloc: zeroed memory, and a different path through the allocator.
 *
 * <p>What to notice:
 * a) a chunk freed into the tcache is skipped by calloc, which goes straight to the bins and top: it
 *    gets a new chunk, while the next malloc gets the freed one back;
 * b) memory from a recycled chunk is zeroed by calloc, whereas malloc hands back whatever was there
 *    (here the tcache link words and the rest of the old string);
 * c) calloc checks nmemb*size for overflow and fails with ENOMEM rather than allocating a wrapped size.
 *
 * <p>Run: {@code ./mallocscope run calloc-zeroes}
 */
@Sample(name = "calloc-zeroes", description = "calloc zeroes, skips the tcache and checks for overflow")
public final class CallocZeroes implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long p = c.malloc(40);
        c.strcpy(p, "0123456789abcdefghijklmnopqrstuvwxyz");
        c.free(p);
        long q = c.calloc(1, 40);
        c.printf("p = break+0x%lx freed; calloc(1, 40) = break+0x%lx (a new chunk)\n", p - heap, q - heap);
        long r = c.malloc(40);
        c.printf("malloc(40) = break+0x%lx: bytes 16.. still read \"%s\"\n", r - heap, r + 16);

        long g = c.malloc(0x500);
        c.malloc(24);
        c.memset(g, 'x', 0x500);
        c.free(g);
        long z = c.calloc(0x50, 0x10);
        int nonzero = 0;
        for (int i = 0; i < 0x500; i++) {
            nonzero += c.getByte(z + i) != 0 ? 1 : 0;
        }
        c.printf("calloc(0x50, 0x10) = break+0x%lx (the freed 0x510 chunk): %d non-zero bytes\n", z - heap, nonzero);

        long huge = c.calloc(1L << 33, 1L << 32);
        c.printf("calloc(2^33, 2^32) = %p, errno %d (%s)\n", huge, c.errno(), c.strerror(c.errno()));
        return 0;
    }
}
