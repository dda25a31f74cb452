package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * malloc_consolidate: a large request first merges every fastbin chunk with its free neighbours.
 *
 * <p>What to notice:
 * a) three neighbouring 0x30 chunks freed into the fastbin stay separate: their size words keep the
 *    P bit, and the chunk after them still says its predecessor is in use;
 * b) a large request (0x500) finds fastbin chunks waiting and consolidates them first: the three
 *    become one free 0x90 chunk;
 * c) a 0x90 request (via calloc, which skips the tcache) then gets exactly that merged chunk, at the
 *    first one's address.
 *
 * <p>Run: {@code ./mallocscope run malloc-consolidate}
 */
@Sample(name = "malloc-consolidate", description = "a large request merges fastbin chunks (malloc_consolidate)")
public final class MallocConsolidate implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long[] fill = new long[7];
        for (int i = 0; i < 7; i++) {
            fill[i] = c.malloc(0x28);
        }
        long a = c.malloc(0x28);
        long b = c.malloc(0x28);
        long d = c.malloc(0x28);
        long guard = c.malloc(24);
        for (long f : fill) {
            c.free(f);
        }
        c.free(a);
        c.free(b);
        c.free(d);
        c.printf("a, b, d at break+0x%lx, +0x%lx, +0x%lx in the fastbin; guard's size word 0x%lx\n", a - heap,
                b - heap, d - heap, c.getLong(guard - 8));
        long big = c.malloc(0x500);
        c.printf("malloc(0x500) = break+0x%lx\n", big - heap);
        c.printf("a's size word 0x%lx; guard's size word 0x%lx, prev_size 0x%lx\n", c.getLong(a - 8),
                c.getLong(guard - 8), c.getLong(guard - 16));
        long merged = c.calloc(1, 0x88);
        c.printf("calloc(1, 0x88) = break+0x%lx (a again, now 0x90 long)\n", merged - heap);
        return 0;
    }
}
