package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Overlapping chunks: a port of how2heap's {@code glibc_2.36/overlapping_chunks.c}. Enlarging a chunk's
 * size word before freeing it makes the next malloc return a block that covers its neighbour.
 *
 * <p>What to notice:
 * a) p2's size is overwritten from 0x501 to 0x581, so that it seems to end exactly where p3 ends;
 * b) free(p2) then sees top as its next chunk and merges into it, and malloc(0x578) is carved from top
 *    at p2's address (with a neighbour after p3, the 0x580 chunk would sit in the unsorted bin instead
 *    and be taken whole: the same outcome);
 * c) p4 now contains all of p3: writing either one changes the other.
 *
 * <p>Which check stops it: in 2.36 nothing, as long as the forged size ends on a chunk boundary whose
 * P bit is set; the older variant (freeing p3 after growing p2) is caught since 2.29 by the unsorted
 * bin's next-chunk checks.
 *
 * <p>Run: {@code ./mallocscope run overlapping-chunks}
 */
@Sample(name = "overlapping-chunks", description = "how2heap: grow a size word so a new block overlaps its neighbour")
public final class OverlappingChunks implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.printf("Overlapping chunks by growing a size word.\n");
        long p1 = c.malloc(0x80 - 8);
        long p2 = c.malloc(0x500 - 8);
        long p3 = c.malloc(0x80 - 8);
        c.printf("p1=%p\np2=%p\np3=%p\n", p1, p2, p3);
        c.memset(p1, '1', 0x80 - 8);
        c.memset(p2, '2', 0x500 - 8);
        c.memset(p3, '3', 0x80 - 8);

        int evilChunkSize = 0x581;
        int evilRegionSize = 0x580 - 8;
        c.printf("p2's size word becomes 0x%x: a block of %d bytes.\n", evilChunkSize, evilRegionSize);
        c.putLong(p2 - 8, evilChunkSize);

        c.free(p2);
        long p4 = c.malloc(evilRegionSize);
        c.printf("p4 = %p .. %p\n", p4, p4 + evilRegionSize);
        c.printf("p3 = %p .. %p\n", p3, p3 + 0x80 - 8);
        c.printf("p3 lies inside p4: %s\n", p3 >= p4 && p3 + 0x78 <= p4 + evilRegionSize ? "yes" : "no");

        c.memset(p4, '4', evilRegionSize);
        c.printf("after memset(p4, '4'): p3 starts with %.8s\n", p3);
        c.memset(p3, '3', 80);
        c.printf("after memset(p3, '3', 80): p4 + 0x%lx holds %.8s\n", p3 - p4, p4 + (p3 - p4));
        c.assertTrue(p3 > p4 && p3 + 0x78 <= p4 + evilRegionSize, "p4 <= p3 && p3 + 0x78 <= p4 + evil_region_size");
        return 0;
    }
}
