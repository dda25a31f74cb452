package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * A use-after-free write that corrupts the tcache's free list.
 *
 * <p>What to notice:
 * a) after two frees, b is the tcache head and its first word is the mangled link to a;
 * b) a stale pointer writes "AAAAAAAA" over that link: the first malloc still returns b, but the list
 *    head becomes the link un-mangled, an address ending in 8;
 * c) the next malloc of that size checks the entry's alignment and aborts with
 *    "malloc(): unaligned tcache chunk detected", status 134 (safe-linking at work).
 *
 * <p>Run: {@code ./mallocscope run use-after-free-tcache}
 */
@Sample(name = "use-after-free-tcache", description = "a write through a dangling pointer corrupts the tcache list",
        expectedStatus = 134)
public final class UseAfterFreeTcache implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(24);
        long b = c.malloc(24);
        c.free(a);
        c.free(b);
        c.printf("a = break+0x%lx, b = break+0x%lx freed; b's link word 0x%lx\n", a - heap, b - heap, c.getLong(b));
        c.strcpy(b, "AAAAAAA");
        c.printf("dangling write: b's link word is now 0x%lx, which un-mangles to 0x%lx\n", c.getLong(b),
                c.getLong(b) ^ (b >> 12));
        long first = c.malloc(24);
        c.printf("malloc(24) = break+0x%lx (b)\n", first - heap);
        c.malloc(24);
        c.printf("not reached\n");
        return 0;
    }
}
