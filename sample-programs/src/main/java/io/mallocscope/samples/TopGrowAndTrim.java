package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * The top chunk grows with sbrk when a request does not fit, and is trimmed back when too much of it is
 * free.
 *
 * <p>What to notice:
 * a) each 64 KiB request below the mmap threshold comes from top; when top runs short, the break moves
 *    up by the shortfall plus 128 KiB of pad, rounded to a page;
 * b) freeing the blocks one by one merges them into top; once top exceeds the trim threshold (128 KiB),
 *    free gives memory back with a negative sbrk, keeping the 128 KiB pad;
 * c) {@code malloc_trim(0)} gives back everything above one page of top.
 *
 * <p>Run: {@code ./mallocscope run top-grow-and-trim}
 */
@Sample(name = "top-grow-and-trim", description = "top grows with sbrk and is trimmed back on free")
public final class TopGrowAndTrim implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long[] p = new long[4];
        for (int i = 0; i < 4; i++) {
            p[i] = c.malloc(0x10000);
            c.printf("malloc(0x10000) = break+0x%lx, break at +0x%lx\n", p[i] - heap, c.sbrk(0) - heap);
        }
        for (int i = 3; i >= 0; i--) {
            c.free(p[i]);
            c.printf("free(break+0x%lx): break at +0x%lx, top 0x%lx\n", p[i] - heap, c.sbrk(0) - heap,
                    c.mallinfo2().keepcost());
        }
        int released = c.malloc_trim(0);
        c.printf("malloc_trim(0) = %d: break at +0x%lx, top 0x%lx\n", released, c.sbrk(0) - heap,
                c.mallinfo2().keepcost());
        return 0;
    }
}
