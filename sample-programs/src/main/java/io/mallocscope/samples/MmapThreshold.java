package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * The mmap threshold: big requests get their own mapping, and freeing one raises the threshold.
 *
 * <p>What to notice:
 * a) 200000 bytes is above the 128 KiB threshold and top is small, so malloc maps pages for it: the
 *    pointer sits 0x10 into a page and the size word has the M bit (0x31002);
 * b) freeing it unmaps it, and raises the threshold to that chunk's size (and the trim threshold to
 *    twice that), since the program seems to use blocks of this size over and over;
 * c) the same request now comes from the heap: the break grows instead, and the block is at
 *    break+0x2a0, right after the tcache chunk.
 *
 * <p>Run: {@code ./mallocscope run mmap-threshold}
 */
@Sample(name = "mmap-threshold", description = "the 128 KiB mmap threshold, raised by freeing an mmapped chunk")
public final class MmapThreshold implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long p = c.malloc(200000);
        c.printf("malloc(200000) = %p: page offset 0x%lx, size word 0x%lx, break at +0x%lx\n", p, p & 0xfff,
                c.getLong(p - 8), c.sbrk(0) - heap);
        c.printf("mallinfo2: %zu mmapped block(s), %zu bytes\n", c.mallinfo2().hblks(), c.mallinfo2().hblkhd());
        c.free(p);
        c.printf("free: %zu mmapped block(s)\n", c.mallinfo2().hblks());
        long q = c.malloc(200000);
        c.printf("malloc(200000) = break+0x%lx, size word 0x%lx, break at +0x%lx\n", q - heap, c.getLong(q - 8),
                c.sbrk(0) - heap);
        long r = c.malloc(24);
        c.printf("malloc(24) = break+0x%lx\n", r - heap);
        return 0;
    }
}
