package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * sysmalloc's _int_free: a port of how2heap's {@code glibc_2.36/sysmalloc_int_free.c}. A program that
 * never calls free can still get a chunk freed: shrink top's size word so that it ends on a page
 * boundary short of the real break, and the next request top cannot serve makes sysmalloc free the old
 * top (the heart of House of Orange and House of Tangerine).
 *
 * <p>What to notice:
 * a) a probe malloc reads top's size (0x20d51), and a block of 0xbd0 leaves top at 0x555555559e90 with
 *    0x20171, so that top's end is page-aligned and 0x170 after its start is too;
 * b) an overflow sets top's size to 0x171: top now "ends" at 0x55555555a000, page-aligned (sysmalloc's
 *    check on the old top passes) but short of the break at 0x55555557a000;
 * c) malloc(0x160) is more than top holds: sysmalloc extends the heap with sbrk, finds the new memory
 *    does not start where top ends (it starts at the real break), so it treats it as a foreign sbrk,
 *    starts a new top there and frees the old top, less a 0x20 fencepost, as a 0x150 chunk; the request
 *    is served from the new top at 0x55555557a010, and malloc(0x140) gets the freed chunk back from the
 *    tcache.
 *
 * <p>Which check stops it: none (how2heap: tested on 2.27 to 2.39). sysmalloc asserts only that the old
 * top has a size of at least MINSIZE, its P bit set, and ends on a page boundary.
 *
 * <p>Run: {@code ./mallocscope run sysmalloc-int-free}
 */
@Sample(name = "sysmalloc-int-free", description = "how2heap: a shrunk top chunk freed by sysmalloc, with no call to free")
public final class SysmallocIntFree implements CProgram {
    private static final long CHUNK_FREED_SIZE = 0x150;

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long pageSize = c.getpagesize();
        long pageMask = pageSize - 1;
        c.puts("sysmalloc frees the old top chunk when the heap's new memory does not continue it.");

        long probe = c.malloc(0x10);
        long topSize = c.getLong(probe + 0x18);
        c.printf("first top size  = 0x%lx\n", topSize);
        long allocatedSize = (topSize - 0x10 - 2 * 0x10 - CHUNK_FREED_SIZE) & pageMask & -0x10L;
        c.printf("allocated size  = 0x%lx\n", allocatedSize);

        long block = c.malloc(allocatedSize);
        long topSizePtr = block + allocatedSize + 8; // top's size word, just past the block
        topSize = c.getLong(topSizePtr);
        c.printf("block: chunk %p, top at %p, size word 0x%lx, top ends at %p\n", block - 16, topSizePtr - 8,
                topSize, topSizePtr - 8 + (topSize & ~7L));

        long newTopSize = topSize & pageMask;
        c.putLong(topSizePtr, newTopSize); // the overflow
        c.printf("top's size word overwritten with 0x%lx: top now ends at %p, still page-aligned\n", newTopSize,
                topSizePtr - 8 + (newTopSize & ~7L));
        long freedTopSize = (newTopSize - 0x20) & -0x10L; // sysmalloc keeps two 0x10 fenceposts
        c.assertTrue(freedTopSize == CHUNK_FREED_SIZE, "freed_top_size == CHUNK_FREED_SIZE");

        long old = c.malloc(CHUNK_FREED_SIZE + 0x10);
        c.printf("malloc(0x%lx) = %p, from a new top at the break; the old top was freed:\n",
                CHUNK_FREED_SIZE + 0x10, old);
        c.printf("freed chunk %p, size word 0x%lx; fencepost at %p, size word 0x%lx\n", topSizePtr - 8,
                c.getLong(topSizePtr), topSizePtr - 8 + CHUNK_FREED_SIZE,
                c.getLong(topSizePtr + CHUNK_FREED_SIZE));

        long again = c.malloc(CHUNK_FREED_SIZE - 0x10);
        c.printf("malloc(0x%lx) = %p, the freed old top, from the tcache\n", CHUNK_FREED_SIZE - 0x10, again);
        c.assertTrue(Long.compareUnsigned(old, again) > 0, "old > new");
        c.assertTrue(again == topSizePtr + 8, "the old top's chunk came back");
        return 0;
    }
}
