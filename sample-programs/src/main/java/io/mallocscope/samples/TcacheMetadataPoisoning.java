package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Tcache metadata poisoning: a port of how2heap's {@code glibc_2.36/tcache_metadata_poisoning.c}. Whoever
 * can write the tcache's metadata ({@code tcache_perthread_struct}, the heap's first chunk) decides what
 * malloc returns: a count of 1 and a head pointing at the target, and the next malloc of that size
 * returns the target.
 *
 * <p>What to notice:
 * a) the struct sits right before the first chunk: victim (0x5555555592a0) minus its 0x10 header minus
 *    the struct's 0x280 bytes (64 uint16 counts, then 64 heads) is 0x555555559010;
 * b) counts[1] = 1 and entries[1] = the target make malloc(0x20) (a 0x30 chunk: bin 1) return the target
 *    without touching any chunk;
 * c) the target must be 16-aligned (tcache_get's check since 2.32), so it is a 16-aligned stack slot
 *    here; it keeps its 0x1337, and tcache_get clears the word after it (the tcache key's place).
 *
 * <p>The C original's target is a plain {@code uint64_t} local, which gcc -O0 put at an address ending
 * in 8 (0x7fffffffe6d8) on this machine: there the original does not reach its end but aborts with
 * "malloc(): unaligned tcache chunk detected" (status 134). Aligned to 16 ({@code _Alignas(16)}), the same
 * C program gets its target back, as this port does.
 *
 * <p>Which check stops it: only the alignment check; the counts and heads themselves are trusted.
 *
 * <p>Run: {@code ./mallocscope run tcache-metadata-poisoning}
 */
@Sample(name = "tcache-metadata-poisoning", description = "how2heap: a forged tcache count and head make malloc return the stack")
public final class TcacheMetadataPoisoning implements CProgram {
    private static final long METADATA_SIZE = 64 * 2 + 64 * 8; // uint16_t counts[64]; void *entries[64];

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long stackTarget = c.local(0x10); // _Alignas(16) uint64_t stack_target = 0x1337;
        c.putLong(stackTarget, 0x1337);
        c.puts("Tcache metadata poisoning: malloc returns what the tcache struct says.");

        long victim = c.malloc(0x10);
        c.printf("victim: malloc(0x10) = %p\n", victim);
        long metadata = victim - 0x10 - METADATA_SIZE;
        c.printf("The tcache struct is 0x%lx bytes; it starts at %p\n", METADATA_SIZE, metadata);

        c.putShort(metadata + 2, 1); // counts[1] = 1
        c.putLong(metadata + 128 + 8, stackTarget); // entries[1] = &stack_target
        c.printf("counts[1] = %d, entries[1] = %p (the stack target, 16-aligned)\n", (int) c.getShort(metadata + 2),
                c.getLong(metadata + 128 + 8));

        long evil = c.malloc(0x20);
        c.printf("malloc(0x20) = %p, holding 0x%lx\n", evil, c.getLong(evil));
        c.assertTrue(evil == stackTarget, "evil == &stack_target");
        return 0;
    }
}
