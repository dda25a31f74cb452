package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Fastbin dup: a port of how2heap's {@code glibc_2.36/fastbin_dup.c}. One chunk is put in a fastbin
 * twice, so calloc hands it out twice.
 *
 * <p>What to notice:
 * a) seven frees fill the 0x20 tcache, so the calloc'd chunks (calloc skips the tcache) go to the
 *    fastbin when freed;
 * b) freeing a, then b, then a again passes the only fastbin double-free check, which compares with the
 *    bin's head alone: the bin now reads a, b, a;
 * c) three callocs return a, b and a again: two owners for one chunk.
 *
 * <p>Which check stops it: nothing in 2.36; the fasttop check only catches an immediate second free
 * (see double-free-fasttop), and the tcache key (since 2.29) only chunks bound for the tcache.
 * how2heap lists the technique as working before glibc 2.43, whose malloc changes stop it.
 *
 * <p>Run: {@code ./mallocscope run fastbin-dup}
 */
@Sample(name = "fastbin-dup", description = "how2heap: a fastbin double free makes calloc return one chunk twice")
public final class FastbinDup implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.printf("Double free through a fastbin.\n");
        c.printf("First, seven frees fill the tcache for this size.\n");
        long[] ptrs = new long[8];
        for (int i = 0; i < 8; i++) {
            ptrs[i] = c.malloc(8);
        }
        for (int i = 0; i < 7; i++) {
            c.free(ptrs[i]);
        }

        long a = c.calloc(1, 8);
        long b = c.calloc(1, 8);
        long d = c.calloc(1, 8);
        c.printf("calloc #1: %p\n", a);
        c.printf("calloc #2: %p\n", b);
        c.printf("calloc #3: %p\n", d);

        c.printf("free(%p)\n", a);
        c.free(a);
        c.printf("free(%p): %p is no longer the fastbin's head\n", b, a);
        c.free(b);
        c.printf("free(%p) again: accepted\n", a);
        c.free(a);

        c.printf("The fastbin now reads [ %p, %p, %p ].\n", a, b, a);
        a = c.calloc(1, 8);
        b = c.calloc(1, 8);
        d = c.calloc(1, 8);
        c.printf("calloc #4: %p\n", a);
        c.printf("calloc #5: %p\n", b);
        c.printf("calloc #6: %p\n", d);
        c.assertTrue(a == d, "a == c");
        c.printf("#4 and #6 are the same chunk.\n");
        return 0;
    }
}
