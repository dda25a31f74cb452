package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Tcache relative write: a port of how2heap's {@code glibc_2.36/tcache_relative_write.c}. Once
 * {@code mp_.tcache_bins} (a libc global, 64) holds a large value, a chunk of any size is a "tcache"
 * chunk, and freeing one writes its bin's count ({@code counts[idx]++}) and head ({@code entries[idx]})
 * wherever that index puts them past the tcache struct: into other chunks on the heap.
 *
 * <p>What to notice:
 * a) the setup: p1 (0x420, too big for the tcache) freed into the unsorted bin gives a libc address,
 *    main_arena's unsorted bin; {@code &mp_.tcache_bins} is 0x918 below it, and the program writes
 *    0x7fffffffffff there (standing in for a large-bin attack or similar);
 * b) a count written where the index says: counts are 2 bytes each from heap+0x10, so the size
 *    nb = 8 * (delta + 2) + 16 puts counts[idx] at delta bytes past them. Aimed at the upper half of
 *    p2's size word (delta 0x6aa), freeing a 0x3570 chunk adds 0x10000 to it: 0x110 (its P bit cleared by
 *    p1's free) becomes 0x10110, and after free(p2), malloc(0x10100) returns p2, now overlapping
 *    everything after it;
 * c) a pointer written where the index says: heads are 8 bytes each from heap+0x90, so
 *    nb = 2 * (delta + 8) + 16; for p1's fd (delta 0x210), freeing a 0x440 chunk writes that chunk's
 *    address into p1's fd.
 *
 * <p>Which check stops it: in 2.36 only {@code tc_idx < mp_.tcache_bins}, which the first write
 * defeats; how2heap lists it for versions before 2.38. A count can only be raised by as much as
 * {@code mp_.tcache_count} (7) allows.
 *
 * <p>Run: {@code ./mallocscope run tcache-relative-write}
 */
@Sample(name = "tcache-relative-write", description = "how2heap: a huge mp_.tcache_bins lets free write counts and pointers past the tcache")
public final class TcacheRelativeWrite implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.puts("Tcache relative write: tcache indices past the struct, once mp_.tcache_bins is large.");

        long p1 = c.malloc(0x410); // too big for the tcache: freed, it goes to the unsorted bin
        long p2 = c.malloc(0x100);
        long p2OrigSize = c.getLong(p2 - 8);
        c.free(p1);
        c.printf("p1 = %p, p2 = %p (size word 0x%lx); free(p1): p1's fd is %p\n", p1, p2, p2OrigSize, c.getLong(p1));

        long mpTcacheBins = c.getLong(p1) - 0x918;
        c.printf("&mp_.tcache_bins: %p, holding %ld\n", mpTcacheBins, c.getLong(mpTcacheBins));
        c.putLong(mpTcacheBins, 0x7fffffffffffL); // the vulnerability
        c.printf("mp_.tcache_bins is now 0x%lx\n", c.getLong(mpTcacheBins));

        c.puts("--- A count written into p2's size word ---");
        long tcacheCounts = p1 - 0x290;
        long delta = (p2 - 6) - tcacheCounts;
        long nb = 8 * (delta + 2) + 16;
        c.printf("counts at %p; p2's size word + 2 is 0x%lx bytes past them: nb = 0x%lx\n", tcacheCounts, delta, nb);
        long p = c.malloc(nb - 0x10);
        c.printf("malloc(0x%lx) = %p\n", nb - 0x10, p);
        c.free(p);
        c.printf("free(p): p2's size word is now 0x%lx\n", c.getLong(p2 - 8));
        c.assertTrue(Long.compareUnsigned(c.getLong(p2 - 8), p2OrigSize) > 0, "p2[-1] > p2_orig_size");

        c.free(p2);
        p = c.malloc(0x10100);
        c.printf("free(p2); malloc(0x10100) = %p, p2 again, 0x10110 bytes\n", p);
        c.assertTrue(p == p2, "p == p2");

        c.puts("--- A pointer written into p1's fd ---");
        long tcacheEntries = p1 - 0x210;
        delta = p1 - tcacheEntries;
        nb = 2 * (delta + 8) + 16;
        c.printf("heads at %p; p1's fd is 0x%lx bytes past them: nb = 0x%lx\n", tcacheEntries, delta, nb);
        p = c.malloc(nb - 0x10);
        c.printf("malloc(0x%lx) = %p\n", nb - 0x10, p);
        c.free(p);
        c.printf("free(p): p1's fd is now %p\n", c.getLong(p1));
        c.assertTrue(c.getLong(p1) == p, "p1[0] == p");
        return 0;
    }
}
