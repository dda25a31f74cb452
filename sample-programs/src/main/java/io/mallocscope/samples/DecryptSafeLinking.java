package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Decrypt safe-linking: a port of how2heap's {@code glibc_2.36/decrypt_safe_linking.c}. A leaked tcache
 * link, stored as {@code (its own address >> 12) ^ next}, gives back next without knowing where it is
 * stored, when both lie in the same page.
 *
 * <p>What to notice:
 * a) b's stored link 0x55500000c7f9 is a's address XOR (b's address >> 12): only its top bits still
 *    look like a heap address;
 * b) the top 12 bits of the link are next's own (nothing is XORed into them); they are also the next 12
 *    bits of the key, which uncovers the next 12 bits of next, and so on, 12 bits a round;
 * c) five rounds give back a's address, the pointer tcache poisoning needs to mangle a forged link.
 *
 * <p>Which check stops it: none; it is arithmetic. It works because the link and the chunk it is stored
 * in are in the same page (true here: a and b are 0x30 apart); otherwise the page distance between them
 * must be known too.
 *
 * <p>Run: {@code ./mallocscope run decrypt-safe-linking}
 */
@Sample(name = "decrypt-safe-linking", description = "how2heap: recover a pointer from a mangled tcache link")
public final class DecryptSafeLinking implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.puts("Decrypt safe-linking: a tcache link gives away the heap address it hides.");
        long a = c.malloc(0x20);
        long b = c.malloc(0x20);
        c.malloc(0x10);
        c.printf("a: %p, b: %p (and a guard against top)\n", a, b);
        c.free(a);
        c.free(b);
        c.printf("The 0x30 tcache: [ %p -> %p ]\n", b, a);
        long cipher = c.getLong(b);
        c.printf("Stored in b: 0x%lx\n", cipher);

        long plain = decrypt(c, cipher);
        c.printf("Recovered: %p (a: %p)\n", plain, a);
        c.assertTrue(plain == a, "plaintext == (long)a");
        return 0;
    }

    /** Each round uncovers 12 more bits of the pointer, which are the next 12 bits of the key. */
    private static long decrypt(LibC c, long cipher) {
        long key = 0;
        long plain = 0;
        for (int round = 1; round <= 5; round++) {
            int bits = Math.max(64 - 12 * round, 0);
            plain = ((cipher ^ key) >>> bits) << bits;
            key = plain >>> 12;
            c.printf("round %d: key 0x%012lx, plain 0x%012lx\n", round, key, plain);
        }
        return plain;
    }
}
