package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDERR;

/**
 * First fit: a port of how2heap's {@code first_fit.c}. Not an attack: it shows how glibc picks a
 * free chunk, and why a dangling pointer then sees someone else's data.
 *
 * <p>What to notice:
 * a) freeing the 0x512-byte block {@code a} puts its 0x520 chunk in the unsorted bin (too big for
 *    the tcache, which stops at 0x410);
 * b) {@code malloc(506)} is served from that free chunk: the 0x210 piece at the same address as
 *    {@code a}, the rest stays free as the last remainder;
 * c) {@code a} and {@code c} are the same pointer, so reading through the stale {@code a} shows C's
 *    string: a use-after-free.
 *
 * <p>Run: {@code ./mallocscope run first-fit}
 */
@Sample(name = "first-fit", description = "glibc hands a freed chunk to the next request that fits (use-after-free)")
public final class FirstFit implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.fprintf(STDERR, "This file doesn't demonstrate an attack, but shows the nature of glibc's allocator.\n");
        c.fprintf(STDERR, "glibc uses a first-fit algorithm to select a free chunk.\n");
        c.fprintf(STDERR, "If a chunk is free and large enough, malloc will select this chunk.\n");
        c.fprintf(STDERR, "This can be exploited in a use-after-free situation.\n");

        c.fprintf(STDERR, "Allocating 2 buffers. They can be large, don't have to be fastbin.\n");
        long a = c.malloc(0x512);
        long b = c.malloc(0x256);

        c.fprintf(STDERR, "1st malloc(0x512): %p\n", a);
        c.fprintf(STDERR, "2nd malloc(0x256): %p\n", b);
        c.fprintf(STDERR, "we could continue mallocing here...\n");
        c.fprintf(STDERR, "now let's put a string at a that we can read later \"this is A!\"\n");
        c.strcpy(a, "this is A!");
        c.fprintf(STDERR, "first allocation %p points to %s\n", a, a);

        c.fprintf(STDERR, "Freeing the first one...\n");
        c.free(a);

        c.fprintf(STDERR, "We don't need to free anything again. As long as we allocate smaller than 0x512, "
                + "it will end up at %p\n", a);
        c.fprintf(STDERR, "So, let's allocate 0x500 bytes\n"); // sic: the original asks for 506 (0x1fa) below
        long cc = c.malloc(506);
        c.fprintf(STDERR, "3rd malloc(0x500): %p\n", cc);
        c.fprintf(STDERR, "And put a different string here, \"this is C!\"\n");
        c.strcpy(cc, "this is C!");
        c.fprintf(STDERR, "3rd allocation %p points to %s\n", cc, cc);
        c.fprintf(STDERR, "first allocation %p points to %s\n", a, a);
        c.fprintf(STDERR, "If we reuse the first allocation, it now holds the data from the third allocation.\n");
        return 0;
    }
}
