package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * memalign: aligned blocks are cut out of a bigger chunk, and the leftovers are freed.
 *
 * <p>What to notice:
 * a) memalign(256, 100) takes a chunk of 0x70 (100 bytes' chunk size) + 256 + 0x20 from the allocator,
 *    then uses the first 256-aligned address inside it that leaves a leader of at least 0x20 in front;
 * b) the leader in front (0x40) is freed, and so is the tail past the aligned block (0xf0): both go
 *    into the tcache, which never merges with top, so the aligned chunk itself is only 0x70;
 * c) the next malloc of the leader's size gets the leader back, and a small malloc that fits neither
 *    comes from top, past the tail.
 *
 * <p>Run: {@code ./mallocscope run memalign}
 */
@Sample(name = "memalign", description = "memalign: over-allocate, cut out an aligned chunk, free the rest")
public final class Memalign implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long first = c.malloc(24);
        long p = c.memalign(256, 100);
        c.printf("malloc(24) = break+0x%lx; memalign(256, 100) = break+0x%lx (aligned: %s), size word 0x%lx\n",
                first - heap, p - heap, p % 256 == 0 ? "yes" : "no", c.getLong(p - 8));
        long leader = first + 0x20;
        c.printf("leader at break+0x%lx, size word 0x%lx\n", leader - 16 - heap, c.getLong(leader - 8));
        long again = c.malloc(c.getLong(leader - 8) - 0x11);
        c.printf("malloc(0x%lx) = break+0x%lx (the leader)\n", c.getLong(leader - 8) - 0x11, again - heap);
        long next = c.malloc(24);
        c.printf("malloc(24) = break+0x%lx (from top, past the freed tail)\n", next - heap);
        return 0;
    }
}
