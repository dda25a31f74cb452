package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Poison null byte: a port of how2heap's {@code glibc_2.36/poison_null_byte.c}. A single zero byte
 * written past a block (an off-by-one) clears the next chunk's P bit; with a fake free chunk prepared in
 * front, freeing that chunk merges backwards over live data.
 *
 * <p>What to notice:
 * a) padding brings prev's chunk to an address ending in 0x0010 (…0000 once its header is counted), so
 *    that overwriting the two low bytes of stale pointers needs no guessing;
 * b) sorting prev, a and b into one large bin leaves a and b in prev's fd_nextsize/bk_nextsize; after
 *    prev is taken back, those become the fake chunk's fd and bk, and two partial overwrites of stale
 *    links in a and b point both back at the fake chunk, passing unlink's checks;
 * c) the off-by-one zero clears victim's P bit; free(victim) merges with the fake chunk and the next
 *    malloc(0x100) returns prev + 0x10, overlapping prev.
 *
 * <p>Which check stops it: none so far (how2heap lists it as working on the latest glibc); unlink's
 * size vs prev_size and fd/bk checks are all satisfied here. 2.29's check that prev_size matches the
 * size of the chunk being merged is what made the older version of this technique fail.
 *
 * <p>Run: {@code ./mallocscope run poison-null-byte}
 */
@Sample(name = "poison-null-byte", description = "how2heap: an off-by-one NUL byte leads to overlapping chunks")
public final class PoisonNullByte implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.puts("Poison null byte: one zero byte past a block.");
        c.puts("Step 1: pad the heap so the fake chunk's address has a zero second byte.");
        long tmp = c.malloc(1);
        long heapBase = tmp & ~0xfffL;
        c.printf("heap address: %p\n", heapBase);
        long size = 0x10000 - (tmp & 0xffff) - 0x20;
        c.printf("padding size: 0x%lx\n", size);
        c.malloc(size);

        c.puts("Step 2: prev and victim, side by side.");
        long prev = c.malloc(0x500);
        long victim = c.malloc(0x4f0);
        c.malloc(0x10);
        c.printf("prev: malloc(0x500) = %p\n", prev);
        c.printf("victim: malloc(0x4f0) = %p\n", victim);

        c.puts("Step 3: put prev in a large bin between a (smaller) and b (bigger).");
        long a = c.malloc(0x4f0);
        c.printf("a: malloc(0x4f0) = %p\n", a);
        c.malloc(0x10);
        long b = c.malloc(0x510);
        c.printf("b: malloc(0x510) = %p\n", b);
        c.malloc(0x10);
        c.free(a);
        c.free(b);
        c.free(prev);
        c.malloc(0x1000);
        c.printf("prev's fd_nextsize + 0x10: %p (a)\n", c.getLong(prev + 16) + 0x10);
        c.printf("prev's bk_nextsize + 0x10: %p (b)\n", c.getLong(prev + 24) + 0x10);

        c.puts("Step 4: take prev back and build the fake chunk inside it.");
        long prev2 = c.malloc(0x500);
        c.printf("prev2: malloc(0x500) = %p\n", prev2);
        c.assertTrue(prev == prev2, "prev == prev2");
        c.putLong(prev + 8, 0x501);
        c.putLong(prev + 0x500, 0x500);
        c.printf("fake chunk at %p\n", prev + 0x10);

        c.puts("Step 5: point the stale links in b and a back at the fake chunk.");
        long b2 = c.malloc(0x510);
        c.printf("b->fd + 0x10: %p (a)\n", c.getLong(b2) + 0x10);
        c.putByte(b2, 0x10);
        c.putByte(b2 + 1, 0x00);
        c.printf("b->fd: %p\n", c.getLong(b2));
        long a2 = c.malloc(0x4f0);
        c.free(a2);
        c.free(victim);
        c.printf("a->bk: %p, victim: %p\n", c.getLong(a + 8), victim);
        long a3 = c.malloc(0x4f0);
        c.putByte(a3 + 8, 0x10);
        c.putByte(a3 + 9, 0x00);
        c.printf("a->bk: %p\n", c.getLong(a3 + 8));

        c.puts("Step 6: the off-by-one, then a backward merge into the fake chunk.");
        long victim2 = c.malloc(0x4f0);
        c.printf("%p\n", victim2);
        c.putByte(victim2 - 8, 0x00);
        c.printf("P->fd->bk (%p) == P (%p), P->bk->fd (%p) == P (%p)\n", c.getLong(a3 + 8), prev, c.getLong(b2), prev);
        c.free(victim);
        long merged = c.malloc(0x100);
        c.printf("merged: malloc(0x100) = %p\n", merged);
        c.memset(merged, 'A', 0x80);
        c.printf("merged holds: %.16s...\n", merged);
        c.memset(prev2, 'C', 0x80);
        c.printf("after writing prev2, merged holds: %.16s...\n", merged);
        c.assertTrue(c.getLong(merged) == 0x4343434343434343L, "strstr(merged, \"CCCCCCCCC\")");
        return 0;
    }
}
