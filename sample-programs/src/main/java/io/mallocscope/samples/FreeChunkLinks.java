package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * A free chunk's user data is where the allocator keeps its list links.
 *
 * <p>What to notice:
 * a) after free, the first word of a tcache chunk is its "next" pointer, stored mangled
 *    (safe-linking: the field's address shifted right by 12, XOR the pointer); a list's last entry holds
 *    the bare shifted address, and the second word holds the process's tcache key;
 * b) un-mangling the second chunk's word gives back the first chunk's address;
 * c) a chunk too big for the tcache goes to the unsorted bin, where fd and bk are plain pointers, both to
 *    the bin's head inside main_arena (in libc's data), and the string that was there is gone.
 *
 * <p>Run: {@code ./mallocscope run free-chunk-links}
 */
@Sample(name = "free-chunk-links", description = "freed user data turns into tcache next/key and fd/bk links")
public final class FreeChunkLinks implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(24);
        long b = c.malloc(24);
        long big = c.malloc(0x500);
        long guard = c.malloc(24);
        c.strcpy(a, "AAAAAAAA");
        c.strcpy(big, "a string in a big chunk");
        c.printf("a = break+0x%lx, b = break+0x%lx, big = break+0x%lx\n", a - heap, b - heap, big - heap);

        c.free(a);
        c.free(b);
        long aNext = c.getLong(a);
        long bNext = c.getLong(b);
        c.printf("a's next word: 0x%lx (= a>>12: %s, the end of the list)\n", aNext, aNext == (a >> 12) ? "yes" : "no");
        c.printf("a's key word is set: %s; same key in b: %s\n", c.getLong(a + 8) != 0 ? "yes" : "no",
                c.getLong(a + 8) == c.getLong(b + 8) ? "yes" : "no");
        c.printf("b's next word: 0x%lx, un-mangled: break+0x%lx (a)\n", bNext, (bNext ^ (b >> 12)) - heap);

        c.free(big);
        long fd = c.getLong(big);
        long bk = c.getLong(big + 8);
        c.printf("big's fd %p and bk %p: equal: %s\n", fd, bk, fd == bk ? "yes" : "no");
        c.printf("big's first byte is now 0x%02x, not 'a'\n", c.getByte(big) & 0xff);
        c.free(guard);
        return 0;
    }
}
