package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * What a chunk looks like from the inside: prev_size, size and its three flag bits.
 *
 * <p>What to notice:
 * a) the pointer malloc returns is 16 bytes past the chunk: the 8-byte size word sits right before
 *    it, and the low bits of that word are flags: P (PREV_INUSE, 1), M (IS_MMAPPED, 2), A (NON_MAIN_ARENA,
 *    4, never set in a single-threaded program);
 * b) while a chunk is in use, the next chunk's prev_size word is part of *its* user data, which is why
 *    malloc(24) gets a 0x20 chunk and {@code malloc_usable_size} says 24;
 * c) once a large chunk is freed into the unsorted bin, the next chunk's P bit is cleared and its
 *    prev_size holds the freed size: the "boundary tag" free() uses to merge backwards;
 * d) an mmapped chunk has the M bit and a usable size of its length minus 16.
 *
 * <p>Run: {@code ./mallocscope run chunk-anatomy}
 */
@Sample(name = "chunk-anatomy", description = "prev_size, size and the A/M/P bits; usable size; boundary tags")
public final class ChunkAnatomy implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(24);
        long b = c.malloc(0x418);
        long guard = c.malloc(24);
        long m = c.malloc(0x30000);

        c.printf("a = malloc(24):      chunk at break+0x%lx, size word 0x%lx, usable %zu\n", a - 16 - heap,
                c.getLong(a - 8), c.malloc_usable_size(a));
        c.printf("b = malloc(0x418):   chunk at break+0x%lx, size word 0x%lx, usable %zu\n", b - 16 - heap,
                c.getLong(b - 8), c.malloc_usable_size(b));
        c.putLong(b + 0x410, 0x4242424242424242L);
        c.printf("b's last 8 usable bytes are guard's prev_size: 0x%lx\n", c.getLong(guard - 16));
        c.printf("guard = malloc(24):  chunk at break+0x%lx, size word 0x%lx (P: b is in use)\n", guard - 16 - heap,
                c.getLong(guard - 8));
        c.printf("m = malloc(0x30000): page offset 0x%lx, size word 0x%lx (M), usable %zu\n", m & 0xfff,
                c.getLong(m - 8), c.malloc_usable_size(m));

        c.free(b);
        c.printf("after free(b): guard's size word 0x%lx (P cleared), prev_size 0x%lx\n", c.getLong(guard - 8),
                c.getLong(guard - 16));
        c.free(m);
        c.free(guard);
        c.free(a);
        return 0;
    }
}
