package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Fastbin reverse into tcache: a port of how2heap's {@code glibc_2.36/fastbin_reverse_into_tcache.c}.
 * When malloc takes a chunk from a fastbin with the tcache empty, it moves the rest of that fastbin into
 * the tcache, which reverses the list; a forged fastbin link makes the target one of them, and being
 * put into the tcache writes a heap pointer and the tcache key over it.
 *
 * <p>What to notice:
 * a) seven 0x50 chunks fill the tcache, then victim and six more go to the fastbin; victim's link is
 *    overwritten with &stack_var[0] (mangled with victim's address >> 12), so the fastbin runs
 *    … → victim → stack_var, whose own link (stack_var[2], 0xcdcd…) is never followed;
 * b) after seven mallocs empty the tcache, the next one takes the fastbin's head and refills the tcache
 *    with the next seven entries, the target last: stack_var[2] and [3] get a tcache entry's next (victim,
 *    mangled) and key;
 * c) the target is now at the tcache's head: the next malloc(0x40) returns &stack_var[2].
 *
 * <p>Which check stops it: none in 2.36. The refill takes the fastbin's entries without the size check
 * malloc makes on the chunk it returns; since 2.32 (safe-linking) it needs a heap address and a 16-aligned
 * fake entry ("malloc(): unaligned fastbin chunk detected 3" otherwise). how2heap lists it as working up
 * to 2.42.
 *
 * <p>Run: {@code ./mallocscope run fastbin-reverse-into-tcache}
 */
@Sample(name = "fastbin-reverse-into-tcache",
        description = "how2heap: a fastbin refilled into the tcache writes a heap pointer to the stack")
public final class FastbinReverseIntoTcache implements CProgram {
    private static final long ALLOC_SIZE = 0x40;

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.puts("Fastbin reverse into tcache: the refill writes to a forged fastbin entry.");
        long[] ptrs = new long[14];
        for (int i = 0; i < ptrs.length; i++) {
            ptrs[i] = c.malloc(ALLOC_SIZE);
        }
        for (int i = 0; i < 7; i++) {
            c.free(ptrs[i]);
        }
        long victim = ptrs[7];
        c.printf("victim: %p\n", victim);
        c.puts("The 0x50 tcache is full: victim and six more go to the fastbin.");
        c.free(victim);
        for (int i = 8; i < 14; i++) {
            c.free(ptrs[i]);
        }

        long stackVar = c.local(6 * 8);
        c.memset(stackVar, 0xcd, 6 * 8);
        long target = stackVar + 2 * 8;
        c.printf("Target: &stack_var[2] = %p\n", target);
        c.putLong(victim, stackVar ^ (victim >> 12));
        c.puts("victim's link now points at &stack_var[0] (mangled).");

        for (int i = 0; i < 7; i++) {
            ptrs[i] = c.malloc(ALLOC_SIZE);
        }
        c.printf("Seven malloc(0x40) empty the tcache: %p .. %p\n", ptrs[0], ptrs[6]);
        c.printf("stack_var[2] = 0x%lx, stack_var[3] = 0x%lx\n", c.getLong(target), c.getLong(target + 8));

        c.printf("malloc(0x40) = %p, from the fastbin; six chunks and the target refill the tcache\n",
                c.malloc(ALLOC_SIZE));
        c.printf("stack_var[2] = 0x%lx, stack_var[3] = 0x%lx\n", c.getLong(target), c.getLong(target + 8));
        c.printf("stack_var[2], unmangled: %p (victim)\n", c.getLong(target) ^ (target >> 12));
        c.printf("stack_var[3] is the tcache key (the same as victim's): %s\n",
                c.getLong(target + 8) == c.getLong(victim + 8) ? "yes" : "no");

        long q = c.malloc(ALLOC_SIZE);
        c.printf("malloc(0x40) again = %p\n", q);
        c.assertTrue(q == target, "q == (char *)&stack_var[2]");
        return 0;
    }
}
