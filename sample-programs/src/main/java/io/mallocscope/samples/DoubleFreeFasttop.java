package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * A double free caught by the fastbin's only check: the chunk being freed must not be the bin's top.
 *
 * <p>What to notice:
 * a) with the tcache for 0x20 full, {@code free(a)} puts a at the head of the 0x20 fastbin, and writes
 *    no key (fastbin chunks have none), so the tcache check does not fire on the second free;
 * b) the second {@code free(a)} finds a already at the fastbin's head and aborts with
 *    "double free or corruption (fasttop)", status 134;
 * c) this check looks only at the head: freeing another chunk in between defeats it (see fastbin-dup).
 *
 * <p>Run: {@code ./mallocscope run double-free-fasttop}
 */
@Sample(name = "double-free-fasttop", description = "free twice into a fastbin: the fasttop check aborts",
        expectedStatus = 134)
public final class DoubleFreeFasttop implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long[] fill = new long[7];
        for (int i = 0; i < 7; i++) {
            fill[i] = c.malloc(24);
        }
        long a = c.malloc(24);
        for (long f : fill) {
            c.free(f);
        }
        c.printf("tcache for 0x20 is full; a = break+0x%lx\n", a - heap);
        c.free(a);
        c.printf("free(a) once: into the fastbin\n");
        c.free(a);
        c.printf("free(a) twice: not reached\n");
        return 0;
    }
}
