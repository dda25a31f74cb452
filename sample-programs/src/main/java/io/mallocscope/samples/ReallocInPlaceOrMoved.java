package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * realloc: grow in place when the space after the chunk is free, move (copy and free) when it is not.
 *
 * <p>What to notice:
 * a) growing the chunk that borders top keeps the same pointer: the chunk just takes more of top;
 * b) growing a chunk whose neighbour is in use moves it: a new chunk after the neighbour, the contents
 *    copied, the old chunk freed (into the tcache, where the next malloc of that size finds it);
 * c) shrinking keeps the pointer and frees the tail as a separate chunk.
 *
 * <p>Run: {@code ./mallocscope run realloc-in-place-or-moved}
 */
@Sample(name = "realloc-in-place-or-moved", description = "realloc grows in place into free space, or moves")
public final class ReallocInPlaceOrMoved implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(0x100);
        long neighbour = c.malloc(24);
        long t = c.malloc(0x100);
        c.strcpy(a, "contents of a");
        c.printf("a = break+0x%lx, neighbour = break+0x%lx, t = break+0x%lx (borders top)\n", a - heap,
                neighbour - heap, t - heap);

        long t2 = c.realloc(t, 0x400);
        c.printf("realloc(t, 0x400) = break+0x%lx (in place: %s), size word 0x%lx\n", t2 - heap, t2 == t ? "yes" : "no",
                c.getLong(t2 - 8));

        long a2 = c.realloc(a, 0x200);
        c.printf("realloc(a, 0x200) = break+0x%lx (moved: %s), still holds \"%s\"\n", a2 - heap, a2 != a ? "yes" : "no",
                a2);
        long reuse = c.malloc(0x100);
        c.printf("malloc(0x100) = break+0x%lx (a's old chunk, from the tcache)\n", reuse - heap);

        long a3 = c.realloc(a2, 0x80);
        c.printf("realloc(a2, 0x80) = break+0x%lx (in place: %s), size word 0x%lx; tail at break+0x%lx, size word 0x%lx\n",
                a3 - heap, a3 == a2 ? "yes" : "no", c.getLong(a3 - 8), a3 - 16 + 0x90 - heap, c.getLong(a3 - 8 + 0x90));
        return 0;
    }
}
