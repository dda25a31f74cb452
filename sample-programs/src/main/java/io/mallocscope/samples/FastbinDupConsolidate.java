package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

/**
 * Fastbin dup consolidate: a port of how2heap's {@code glibc_2.36/fastbin_dup_consolidate.c}. A chunk
 * freed into a fastbin is merged into top by {@code malloc_consolidate}, the next big request is carved
 * from top at the same address, and freeing the old pointer again frees the new chunk: two live
 * pointers to one 0x410 chunk.
 *
 * <p>What to notice:
 * a) stdout stays buffered, as in the original: its 4 KiB buffer is the first chunk in the heap, so p1
 *    sits at 0x55555555a4e0, after the buffer and the seven 0x50 chunks that fill the tcache;
 * b) p1 (0x50) goes to a fastbin, and malloc(0x400) (a large request: chunk size 0x410) calls
 *    malloc_consolidate first, which merges p1 into top; the 0x410 chunk p2 is then carved from top
 *    where p1 was;
 * c) free(p1) passes every check (p1 is p2, a chunk in use), and the 0x410 tcache holds p2 while p2 is
 *    still in use; the next malloc(0x400) returns it again as p3.
 *
 * <p>Which check stops it: none in 2.36 (how2heap lists it as working on the latest glibc). The double
 * free is not seen because the first free's chunk no longer exists: consolidation merged it away, and
 * the second free is of a chunk that is in use. With a chunk bigger than 0x410 it works the same, the
 * second free merging it into top instead of the tcache.
 *
 * <p>Run: {@code ./mallocscope run fastbin-dup-consolidate}
 */
@Sample(name = "fastbin-dup-consolidate",
        description = "how2heap: malloc_consolidate turns a fastbin double free into two pointers to one 0x410 chunk")
public final class FastbinDupConsolidate implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.puts("Fastbin dup consolidate: a double free across malloc_consolidate.");
        c.puts("Seven 0x50 chunks to fill the tcache with, then p1 of the same size.");
        long[] ptr = new long[7];
        for (int i = 0; i < ptr.length; i++) {
            ptr[i] = c.malloc(0x40);
        }
        long p1 = c.malloc(0x40);
        c.printf("p1 = malloc(0x40) = %p\n", p1);
        for (long p : ptr) {
            c.free(p);
        }
        c.free(p1);
        c.puts("The 0x50 tcache is full, so free(p1) puts p1 in a fastbin.");

        long p2 = c.malloc(0x400);
        c.printf("p2 = malloc(0x400) = %p, size word 0x%lx\n", p2, c.getLong(p2 - 8));
        c.puts("A large request consolidates the fastbins first: p1 merged into top, and p2 was carved from top.");
        c.assertTrue(p1 == p2, "p1 == p2");

        c.free(p1); // the double free: p1 is p2, which is in use
        c.printf("free(p1) again puts the 0x410 chunk in the tcache while p2 still uses it\n");

        long p3 = c.malloc(0x400);
        c.printf("p3 = malloc(0x400) = %p\n", p3);
        c.assertTrue(p3 == p2, "p3 == p2");
        c.printf("p2 = %p and p3 = %p: two live pointers to one chunk, neither of them freed.\n", p2, p3);
        return 0;
    }
}
