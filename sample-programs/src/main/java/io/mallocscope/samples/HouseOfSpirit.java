package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * House of spirit: a port of how2heap's {@code glibc_2.36/house_of_spirit.c}. Freeing a fake chunk
 * puts a stack address in a fastbin; calloc then returns it.
 *
 * <p>What to notice:
 * a) the tcache for 0x40 is filled first, so the free goes down the fastbin path;
 * b) two size words must be forged: the fake chunk's own (0x40, a fastbin size) and the next chunk's
 *    (0x1234: above 0x10 and below the arena's system memory), because the fastbin path checks the next
 *    chunk's size ("free(): invalid next size (fast)");
 * c) calloc (which skips the tcache) returns the fake chunk's user pointer, on the stack.
 *
 * <p>Which check stops it: none so far (how2heap lists it as working on the latest glibc), beyond those
 * size checks and the 16-alignment of the pointer.
 *
 * <p>Run: {@code ./mallocscope run house-of-spirit}
 */
@Sample(name = "house-of-spirit", description = "how2heap: free a fake stack chunk into a fastbin, calloc it back")
public final class HouseOfSpirit implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.puts("House of spirit: a stack address in a fastbin.");
        c.puts("Step 1: fill the tcache for 0x40.");
        long[] chunks = new long[7];
        for (int i = 0; i < 7; i++) {
            chunks[i] = c.malloc(0x30);
        }
        for (int i = 0; i < 7; i++) {
            c.free(chunks[i]);
        }

        c.puts("Step 2: forge the chunk.");
        long fakeChunks = c.local(10 * 8);
        c.printf("Fake region at %p: chunk at %p, next chunk at %p.\n", fakeChunks, fakeChunks + 8, fakeChunks + 72);
        c.putLong(fakeChunks + 8, 0x40);
        c.putLong(fakeChunks + 72, 0x1234);

        c.puts("Step 3: free it.");
        long victim = fakeChunks + 16;
        c.free(victim);

        c.puts("Step 4: calloc it back.");
        long allocated = c.calloc(1, 0x30);
        c.printf("calloc(1, 0x30): %p, fake chunk: %p\n", allocated, victim);
        c.assertTrue(allocated == victim, "allocated == victim");
        return 0;
    }
}
