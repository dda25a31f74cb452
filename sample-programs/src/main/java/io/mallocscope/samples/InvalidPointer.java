package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Freeing a pointer malloc never returned.
 *
 * <p>What to notice:
 * a) {@code p + 8} points into the middle of a block; free takes the 16 bytes before it as a chunk
 *    header, and the chunk address is not 16-aligned;
 * b) free's first check (pointer alignment and wrap-around) catches it: "free(): invalid pointer",
 *    status 134;
 * c) nothing was changed in the heap before the abort: the check runs before any bin is touched.
 *
 * <p>Run: {@code ./mallocscope run invalid-pointer}
 */
@Sample(name = "invalid-pointer", description = "free(p + 8): \"free(): invalid pointer\"", expectedStatus = 134)
public final class InvalidPointer implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long p = c.malloc(64);
        c.printf("p = break+0x%lx; freeing p + 8\n", p - heap);
        c.free(p + 8);
        c.printf("not reached\n");
        return 0;
    }
}
