package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * A corrupted size word: an overflow from the chunk before clobbers it.
 *
 * <p>What to notice:
 * a) writing 32 bytes into a 24-byte block runs over the next chunk's prev_size and size words;
 * b) the victim's size now reads 0x10, smaller than the minimum chunk (0x20);
 * c) freeing the victim aborts with "free(): invalid size", status 134.
 *
 * <p>Run: {@code ./mallocscope run invalid-size}
 */
@Sample(name = "invalid-size", description = "an overflow shrinks a size word: \"free(): invalid size\"",
        expectedStatus = 134)
public final class InvalidSize implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(24);
        long victim = c.malloc(24);
        c.printf("a = break+0x%lx, victim = break+0x%lx, victim's size word 0x%lx\n", a - heap, victim - heap,
                c.getLong(victim - 8));
        c.memset(a, 'A', 24);
        c.putLong(a + 24, 0x10);
        c.printf("after the overflow: victim's size word 0x%lx\n", c.getLong(victim - 8));
        c.free(victim);
        c.printf("not reached\n");
        return 0;
    }
}
