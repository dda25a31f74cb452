package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.Mallinfo2;

import static io.mallocscope.runtime.LibC.STDERR;
import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * A real-program workload: a growable array of longs, doubled with realloc when full.
 *
 * <p>What to notice:
 * a) while the array borders top, realloc grows it in place: the pointer does not change;
 * b) once another allocation sits behind it, realloc must move it: new address, contents copied, the
 *    old chunk freed;
 * c) past the mmap threshold the array gets its own mapping, and from then on grows with mremap;
 *    mallinfo2 at the end shows one mmapped block.
 *
 * <p>Run: {@code ./mallocscope run dynamic-array [COUNT]}
 */
@Sample(name = "dynamic-array", description = "workload: an array doubled with realloc, in place, moved, then mmapped")
public final class DynamicArray implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        int count = argv.length > 1 ? parseCount(argv[1]) : 40000;
        if (count < 0 || argv.length > 2) {
            c.fprintf(STDERR, "usage: dynamic-array [COUNT]  (COUNT: how many elements to add, 0 to 10000000)\n");
            return 2;
        }
        long capacity = 4;
        long data = c.malloc(capacity * 8);
        long label = 0;
        for (long i = 0; i < count; i++) {
            if (i == capacity) {
                boolean wasMapped = (c.getLong(data - 8) & 2) != 0;
                long grown = c.realloc(data, capacity * 2 * 8);
                if (grown == 0) {
                    c.printf("realloc failed at %ld elements\n", i);
                    return 1;
                }
                boolean mapped = (c.getLong(grown - 8) & 2) != 0;
                String how = mapped ? (wasMapped ? "mremap" : "mmapped") : grown == data ? "in place" : "moved";
                if (mapped) {
                    c.printf("capacity %6ld -> %6ld: %-8s page offset 0x%lx\n", capacity, capacity * 2, how,
                            grown & 0xfff);
                } else {
                    c.printf("capacity %6ld -> %6ld: %-8s break+0x%lx\n", capacity, capacity * 2, how, grown - heap);
                }
                data = grown;
                capacity *= 2;
                if (capacity == 64) {
                    label = c.strdup("a block allocated after the array");
                }
            }
            c.putLong(data + 8 * i, i * i);
        }
        long sum = 0;
        for (long i = 0; i < count; i++) {
            sum += c.getLong(data + 8 * i);
        }
        c.printf("%d elements, sum of squares %ld\n", count, sum);
        Mallinfo2 mi = c.mallinfo2();
        c.printf("heap summary: arena %zu, in use %zu, free %zu, mmapped blocks %zu (%zu bytes)\n", mi.arena(),
                mi.uordblks(), mi.fordblks(), mi.hblks(), mi.hblkhd());
        c.free(data);
        c.free(label);
        return 0;
    }

    /** The element count given on the command line, or -1 if it is not a number from 0 to 10,000,000. */
    static int parseCount(String arg) {
        try {
            int n = Integer.parseInt(arg);
            return n <= 10_000_000 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
