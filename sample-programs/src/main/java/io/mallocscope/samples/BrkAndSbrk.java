package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * The program break, moved by hand and then by malloc.
 *
 * <p>What to notice:
 * a) {@code sbrk(n)} returns the old break and moves it by n; {@code brk(addr)} sets it outright, and the
 *    memory between the old and new break becomes usable (then unusable again when it shrinks);
 * b) malloc's first call grows the break by 0x21000: its request, the tcache chunk and 128 KiB of pad;
 * c) a request that fits in top does not move the break; the next one that does not fit grows it by
 *    what is missing plus the 128 KiB pad, rounded to a page.
 *
 * <p>Run: {@code ./mallocscope run brk-and-sbrk}
 */
@Sample(name = "brk-and-sbrk", description = "moving the program break by hand, then watching malloc move it")
public final class BrkAndSbrk implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        c.printf("initial break: %p\n", heap);

        long old = c.sbrk(0x1000);
        c.printf("sbrk(0x1000) returned the old break %p; the break is now break+0x%lx\n", old, c.sbrk(0) - heap);
        c.putLong(old, 0x1122334455667788L);
        c.printf("the new page is usable: it holds 0x%lx\n", c.getLong(old));
        int rc = c.brk(heap);
        c.printf("brk(initial break) = %d; the break is back at break+0x%lx\n", rc, c.sbrk(0) - heap);

        long a = c.malloc(24);
        c.printf("malloc(24) = break+0x%lx; the break is now break+0x%lx\n", a - heap, c.sbrk(0) - heap);
        long b = c.malloc(0x1f000);
        c.printf("malloc(0x1f000) = break+0x%lx; it fit in top, the break stays at break+0x%lx\n", b - heap,
                c.sbrk(0) - heap);
        long d = c.malloc(0x1f000);
        c.printf("malloc(0x1f000) = break+0x%lx; top was too small, the break moved to break+0x%lx\n", d - heap,
                c.sbrk(0) - heap);
        return 0;
    }
}
