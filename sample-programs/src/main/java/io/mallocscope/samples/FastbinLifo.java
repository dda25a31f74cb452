package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Fastbins: once the tcache for a small size is full, freed chunks of up to 0x80 go to a fastbin.
 *
 * <p>What to notice:
 * a) chunks in a fastbin stay "in use" as far as their neighbours know: the next chunk's P bit stays
 *    set and nothing is merged, even though three free neighbours sit side by side;
 * b) the fastbin is a LIFO stack: calloc (which skips the tcache) takes the last one freed first;
 * c) malloc empties the tcache first; when it then takes from the fastbin, it moves the remaining
 *    fastbin chunks into the tcache, reversing their order.
 *
 * <p>Run: {@code ./mallocscope run fastbin-lifo}
 */
@Sample(name = "fastbin-lifo", description = "fastbins: LIFO, never merged, refilled into the tcache")
public final class FastbinLifo implements CProgram {

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
        long guard = c.malloc(0x28);
        for (long f : fill) {
            c.free(f);
        }
        c.free(a);
        c.free(b);
        c.free(d);
        c.printf("freed a = break+0x%lx, b = break+0x%lx, d = break+0x%lx into the 0x30 fastbin\n", a - heap, b - heap,
                d - heap);
        c.printf("size words of b, d and guard: 0x%lx 0x%lx 0x%lx (P still set: no merging)\n", c.getLong(b - 8),
                c.getLong(d - 8), c.getLong(guard - 8));

        long first = c.calloc(1, 0x28);
        c.printf("calloc(1, 0x28) = break+0x%lx (d: last in, first out)\n", first - heap);
        c.free(first);

        for (int i = 0; i < 7; i++) {
            c.malloc(0x28);
        }
        long x = c.malloc(0x28);
        long y = c.malloc(0x28);
        long z = c.malloc(0x28);
        c.printf("after draining the tcache: break+0x%lx, break+0x%lx, break+0x%lx\n", x - heap, y - heap, z - heap);
        return 0;
    }
}
