package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Tcache poisoning: a port of how2heap's {@code glibc_2.36/tcache_poisoning.c}. Overwriting a free
 * tcache chunk's next link makes malloc return an arbitrary (aligned) address.
 *
 * <p>What to notice:
 * a) two 0x90 chunks freed: the tcache list is b, then a; the count is 2, so two mallocs will be served;
 * b) the write into the freed b replaces its mangled link with the stack target XOR (b's address >> 12);
 * c) the first malloc returns b, the second returns the stack target.
 *
 * <p>Which check stops it: none in 2.36 or later that we know of; since 2.32 it needs a heap address
 * (safe-linking) and a 16-aligned target ("malloc(): unaligned tcache chunk detected"), and since the
 * tcache started checking its count before taking an entry (glibc commit 77dc0d86, noted by how2heap)
 * two chunks are freed rather than one.
 *
 * <p>Run: {@code ./mallocscope run tcache-poisoning}
 */
@Sample(name = "tcache-poisoning", description = "how2heap: overwrite a tcache link so malloc returns the stack")
public final class TcachePoisoning implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.printf("Tcache poisoning: make malloc return a chosen address.\n");
        long stackVar = c.local(0x10 * 8);
        long target = 0;
        for (int i = 0; i < 0x10; i++) {
            if (((stackVar + 8L * i) & 0xf) == 0) {
                target = stackVar + 8L * i;
                break;
            }
        }
        c.assertTrue(target != 0, "target != NULL");
        c.printf("Target: %p.\n", target);

        long a = c.malloc(128);
        long b = c.malloc(128);
        c.printf("malloc(128): %p\n", a);
        c.printf("malloc(128): %p\n", b);
        c.free(a);
        c.free(b);
        c.printf("Freed both: the tcache reads [ %p -> %p ].\n", b, a);

        c.putLong(b, target ^ (b >> 12));
        c.printf("Overwrote b's link: the tcache reads [ %p -> %p ].\n", b, target);

        c.printf("malloc #1: %p\n", c.malloc(128));
        long got = c.malloc(128);
        c.printf("malloc #2: %p\n", got);
        c.assertTrue(got == target, "(long)target == (long)c");
        c.printf("malloc returned the target.\n");
        return 0;
    }
}
