package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Tcache house of spirit: a port of how2heap's {@code glibc_2.36/tcache_house_of_spirit.c}. Freeing a
 * fake chunk on the stack puts it in the tcache; the next malloc of its size returns it.
 *
 * <p>What to notice:
 * a) only the fake chunk's size word is needed (0x40, M and A bits clear); the tcache path of free
 *    does not look at the next chunk at all;
 * b) the pointer freed must be 16-aligned: {@code &fake_chunks[2]};
 * c) {@code malloc(0x30)} (chunk 0x40) returns exactly that stack address.
 *
 * <p>Which check stops it: in 2.36 only a misaligned pointer ("free(): invalid pointer") or a size the
 * tcache does not take; we know of no later check against it. The fastbin version (house-of-spirit)
 * needs a valid next size too.
 *
 * <p>Run: {@code ./mallocscope run tcache-house-of-spirit}
 */
@Sample(name = "tcache-house-of-spirit", description = "how2heap: free a fake stack chunk into the tcache, malloc it back")
public final class TcacheHouseOfSpirit implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.printf("House of spirit, tcache edition.\n");
        c.malloc(1);
        long fakeChunks = c.local(10 * 8);
        c.printf("The fake chunk's size word is at %p.\n", fakeChunks + 8);
        c.putLong(fakeChunks + 8, 0x40);
        long a = fakeChunks + 16;
        c.printf("Freeing %p.\n", a);
        c.free(a);
        long b = c.malloc(0x30);
        c.printf("malloc(0x30): %p\n", b);
        c.assertTrue(b == fakeChunks + 16, "(long)b == (long)&fake_chunks[2]");
        c.printf("malloc returned the fake chunk on the stack.\n");
        return 0;
    }
}
