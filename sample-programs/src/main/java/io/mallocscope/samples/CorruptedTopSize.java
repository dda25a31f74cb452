package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * An overflow into the top chunk's size: the "house of force" set-up, stopped since glibc 2.29.
 *
 * <p>What to notice:
 * a) the last block borders top, so an overflow of 8 bytes past it reaches top's size word;
 * b) setting it to -1 would once have let a huge malloc wrap around the address space;
 * c) glibc now checks that top's size is no more than the memory it got from the system, and aborts
 *    with "malloc(): corrupted top size", status 134, on the next request top must serve.
 *
 * <p>Run: {@code ./mallocscope run corrupted-top-size}
 */
@Sample(name = "corrupted-top-size", description = "overflow into top's size: \"malloc(): corrupted top size\"",
        expectedStatus = 134)
public final class CorruptedTopSize implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(24);
        c.printf("a = break+0x%lx; top's size word 0x%lx\n", a - heap, c.getLong(a + 24));
        c.putLong(a + 24, -1L);
        c.printf("top's size word overwritten: 0x%lx\n", c.getLong(a + 24));
        c.malloc(0x100);
        c.printf("not reached\n");
        return 0;
    }
}
