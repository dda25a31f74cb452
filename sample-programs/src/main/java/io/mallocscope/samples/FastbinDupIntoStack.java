package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDERR;

/**
 * Fastbin dup into stack: a port of how2heap's {@code glibc_2.36/fastbin_dup_into_stack.c}. A fastbin
 * double free, then a forged link, makes calloc return a stack address.
 *
 * <p>What to notice:
 * a) after the a, b, a double free, the first calloc returns a while a is still in the fastbin, so the
 *    program can write a's fd link;
 * b) the link must be written mangled (safe-linking: the target XOR the field's address shifted right
 *    by 12), and the target must be 16-aligned with a plausible size word (0x20) in front of it;
 * c) two callocs later, calloc returns the stack buffer + 0x10.
 *
 * <p>Which check stops it: in 2.36 nothing, given a heap address to mangle with. Before 2.32 the link
 * was a raw pointer (no leak needed); from 2.32 safe-linking demands the heap address and 16-alignment
 * ("malloc(): unaligned fastbin chunk detected"). how2heap lists it as working before glibc 2.43.
 *
 * <p>Run: {@code ./mallocscope run fastbin-dup-into-stack}
 */
@Sample(name = "fastbin-dup-into-stack", description = "how2heap: a fastbin double free turned into calloc returning the stack")
public final class FastbinDupIntoStack implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.fprintf(STDERR, "Make calloc return a stack address through a duplicated fastbin entry.\n");
        c.fprintf(STDERR, "Fill the tcache for 0x20 first.\n");
        long[] ptrs = new long[7];
        for (int i = 0; i < 7; i++) {
            ptrs[i] = c.malloc(8);
        }
        for (int i = 0; i < 7; i++) {
            c.free(ptrs[i]);
        }

        long stackVar = c.local(4 * 8); // unsigned long stack_var[4], 16-aligned
        c.fprintf(STDERR, "Target for calloc: %p.\n", stackVar + 16);

        long a = c.calloc(1, 8);
        long b = c.calloc(1, 8);
        long d = c.calloc(1, 8);
        c.fprintf(STDERR, "calloc #1: %p\n", a);
        c.fprintf(STDERR, "calloc #2: %p\n", b);
        c.fprintf(STDERR, "calloc #3: %p\n", d);

        c.free(a);
        c.free(b);
        c.free(a);
        c.fprintf(STDERR, "After free(a), free(b), free(a) the fastbin reads [ %p, %p, %p ].\n", a, b, a);

        long owned = c.calloc(1, 8);
        c.fprintf(STDERR, "calloc #4: %p (still in the fastbin)\n", owned);
        c.fprintf(STDERR, "calloc #5: %p\n", c.calloc(1, 8));

        c.putLong(stackVar + 8, 0x20);
        c.putLong(owned, (owned >> 12) ^ stackVar);
        c.fprintf(STDERR, "Forged: a fake size 0x20 on the stack, and a's mangled fd pointing at it.\n");

        c.fprintf(STDERR, "calloc #6: %p, leaving the stack address at the fastbin's head\n", c.calloc(1, 8));
        long p = c.calloc(1, 8);
        c.fprintf(STDERR, "calloc #7: %p\n", p);
        c.assertTrue(p == stackVar + 0x10, "(unsigned long)p == (unsigned long)stack_var + 0x10");
        return 0;
    }
}
