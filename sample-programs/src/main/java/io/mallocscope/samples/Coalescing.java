package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.Mallinfo2;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Coalescing: a freed chunk too big for the tcache merges with free neighbours on either side, and
 * with top.
 *
 * <p>What to notice:
 * a) freeing b next to the already free a merges backwards: one 0xa20 chunk at a's address;
 * b) freeing the chunk between that one and another free chunk merges in both directions at once;
 * c) freeing the chunk that borders top merges it into top: top grows by its size (mallinfo2's
 *    keepcost is top's size).
 *
 * <p>Run: {@code ./mallocscope run coalescing}
 */
@Sample(name = "coalescing", description = "freed chunks merge with free neighbours and with top")
public final class Coalescing implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(0x508);
        long b = c.malloc(0x508);
        long d = c.malloc(0x508);
        long e = c.malloc(0x508);
        long guard = c.malloc(24);
        long last = c.malloc(0x508);
        c.printf("a..e at break+0x%lx, +0x%lx, +0x%lx, +0x%lx; last at +0x%lx\n", a - heap, b - heap, d - heap,
                e - heap, last - heap);

        c.free(a);
        c.free(b);
        c.printf("free(a), free(b): chunk at a has size word 0x%lx\n", c.getLong(a - 8));
        c.free(e);
        c.free(d);
        c.printf("free(e), free(d): chunk at a has size word 0x%lx, guard's prev_size 0x%lx\n", c.getLong(a - 8),
                c.getLong(guard - 16));

        Mallinfo2 before = c.mallinfo2();
        c.free(last);
        Mallinfo2 after = c.mallinfo2();
        c.printf("free(last): top grew from 0x%lx to 0x%lx\n", before.keepcost(), after.keepcost());
        c.free(guard);
        return 0;
    }
}
