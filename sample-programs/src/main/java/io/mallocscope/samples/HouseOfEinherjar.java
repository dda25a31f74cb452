package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * House of Einherjar: a port of how2heap's {@code glibc_2.36/house_of_einherjar.c}. A single zero byte
 * written past b clears c's P bit; with a forged prev_size, freeing c merges it backwards with a fake
 * chunk built inside a, so the next malloc overlaps b, whose tcache link it then poisons.
 *
 * <p>What to notice:
 * a) the fake chunk inside a has fd and bk pointing at itself, which passes unlink's
 *    {@code fd->bk == P && bk->fd == P}; this needs a heap address;
 * b) b's usable size (0x28) reaches c's size word: the NUL turns 0x101 into 0x100 (c's size is a
 *    multiple of 0x100, so only the P bit changes), and b's last word becomes c's prev_size, the distance
 *    back to the fake chunk, which is also written as the fake chunk's size;
 * c) with the 0x100 tcache full, free(c) merges with the fake chunk (size word 0x161), malloc(0x158)
 *    returns a block covering b; b, freed into the tcache after a pad chunk, gets its link rewritten
 *    through that block, and the second malloc(0x28) returns the stack target.
 *
 * <p>Which check stops it: none so far (how2heap lists it as working on the latest glibc): the fake
 * chunk's size matches the forged prev_size (2.29's check), and it lies in the heap, so it is not bigger
 * than the memory the arena got from the system. Since 2.32 the tcache poisoning at the end needs a heap
 * address and a 16-aligned target.
 *
 * <p>Run: {@code ./mallocscope run house-of-einherjar}
 */
@Sample(name = "house-of-einherjar", description = "how2heap: an off-by-one NUL merges a chunk into a fake one")
public final class HouseOfEinherjar implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.puts("House of Einherjar: an off-by-one NUL byte and a backward merge.");
        long stackVar = c.local(0x10 * 8);
        long target = 0;
        for (int i = 0; i < 0x10; i++) {
            if (((stackVar + 8L * i) & 0xf) == 0) {
                target = stackVar + 8L * i;
                break;
            }
        }
        c.assertTrue(target != 0, "target != NULL");
        c.printf("Target: %p\n", target);

        long a = c.malloc(0x38);
        c.putLong(a, 0);
        c.putLong(a + 8, 0x60);
        c.putLong(a + 16, a);
        c.putLong(a + 24, a);
        c.printf("a: malloc(0x38) = %p, holding a fake chunk: size 0x%lx, fd %p, bk %p\n", a,
                c.getLong(a + 8), c.getLong(a + 16), c.getLong(a + 24));

        long b = c.malloc(0x28);
        long realBSize = c.malloc_usable_size(b);
        c.printf("b: malloc(0x28) = %p, usable size 0x%lx\n", b, realBSize);
        long cc = c.malloc(0xf8);
        c.printf("c: malloc(0xf8) = %p, size word 0x%lx\n", cc, c.getLong(cc - 8));

        c.putByte(b + realBSize, 0); // the off-by-one
        c.printf("After the off-by-one NUL, c's size word is 0x%lx\n", c.getLong(cc - 8));
        long fakeSize = (cc - 16) - a;
        c.printf("Fake prev_size: %p - %p = 0x%lx\n", cc - 16, a, fakeSize);
        c.putLong(b + realBSize - 8, fakeSize);
        c.putLong(a + 8, fakeSize);

        long[] x = new long[7];
        for (int i = 0; i < x.length; i++) {
            x[i] = c.malloc(0xf8);
        }
        for (long p : x) {
            c.free(p);
        }
        c.puts("The 0x100 tcache is full, so free(c) does not stop there.");
        c.free(cc);
        c.printf("free(c) merges it with the fake chunk, whose size word is now 0x%lx\n", c.getLong(a + 8));

        long d = c.malloc(0x158);
        c.printf("d: malloc(0x158) = %p, overlapping b\n", d);

        long pad = c.malloc(0x28);
        c.free(pad); // the tcache serves an entry only while its count says so: two, for two mallocs
        c.free(b);
        c.printf("The 0x30 tcache: [ %p -> %p ]\n", b, pad);
        c.putLong(d + 0x30, target ^ ((d + 0x30) >> 12));
        c.puts("b's link, rewritten through d, now points at the target.");

        c.malloc(0x28);
        long e = c.malloc(0x28);
        c.printf("e: malloc(0x28) = %p, the target\n", e);
        c.assertTrue(e == target, "e == target");
        return 0;
    }
}
