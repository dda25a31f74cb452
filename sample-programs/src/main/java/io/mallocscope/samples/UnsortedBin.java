package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * The unsorted bin: where freed chunks wait until the next malloc sorts them.
 *
 * <p>What to notice:
 * a) two freed 0x510 chunks sit in the unsorted bin, newest at the head: the bin's fd reaches b, b's fd
 *    reaches a, and both link back to the bin inside main_arena;
 * b) a small request walks the unsorted bin from its tail, sorts both chunks into their large bin, then
 *    splits one of them: it gets the front, the rest goes back to the unsorted bin and becomes the
 *    "last remainder";
 * c) the next small request is carved from that last remainder, right after the previous one.
 *
 * <p>Run: {@code ./mallocscope run unsorted-bin}
 */
@Sample(name = "unsorted-bin", description = "the unsorted bin as a staging area; splitting and last_remainder")
public final class UnsortedBin implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(0x500);
        long g1 = c.malloc(24);
        long b = c.malloc(0x500);
        long g2 = c.malloc(24);
        c.printf("a = break+0x%lx, b = break+0x%lx (0x510 chunks, guards between)\n", a - heap, b - heap);
        c.free(a);
        c.free(b);
        long bin = c.getLong(a);
        c.printf("unsorted: bin.fd = b: %s; b.fd = a: %s; a.fd = bin; a.bk = b: %s; b.bk = bin: %s\n",
                c.getLong(bin + 0x10) == b - 16 ? "yes" : "no", c.getLong(b) == a - 16 ? "yes" : "no",
                c.getLong(a + 8) == b - 16 ? "yes" : "no", c.getLong(b + 8) == bin ? "yes" : "no");

        long x = c.malloc(0x100);
        c.printf("malloc(0x100) = break+0x%lx\n", x - heap);
        long rest = x - 16 + 0x110;
        c.printf("the remainder at break+0x%lx has size word 0x%lx and is alone in the unsorted bin: %s\n",
                rest - heap, c.getLong(rest + 8), c.getLong(rest + 16) == bin && c.getLong(rest + 24) == bin ? "yes" : "no");
        long y = c.malloc(0x100);
        c.printf("malloc(0x100) = break+0x%lx (cut from the last remainder)\n", y - heap);
        c.free(g1);
        c.free(g2);
        return 0;
    }
}
