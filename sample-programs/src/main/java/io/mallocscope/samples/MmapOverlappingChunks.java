package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Mmap overlapping chunks: a port of how2heap's {@code glibc_2.36/mmap_overlapping_chunks.c}. An mmapped
 * chunk's size word says how much free() unmaps; enlarged to cover its neighbour mapping too, one free
 * unmaps both, and a later mapping lands over the neighbour while a pointer into it is still held.
 *
 * <p>What to notice:
 * a) three malloc(0x100000) are each mmapped (size word 0x101002: the M bit), the kernel placing each
 *    mapping right below the previous one, top-down;
 * b) the third chunk's size word is changed to the sum of both sizes (0x202002); free() munmaps that
 *    many bytes from the third chunk's start, taking the second chunk's mapping with it, while the
 *    program still holds the second chunk's pointer;
 * c) that free raised the mmap threshold to 0x202000, so malloc(0x300000) is still mmapped; the new
 *    mapping ends where the first chunk's begins and so covers the second chunk's old place, 0x40000
 *    words in; a write there shows through the second chunk's stale pointer.
 *
 * <p>Which check stops it: none (how2heap: all versions). munmap_chunk checks only that the chunk's
 * start minus its prev_size and its total size are page-aligned.
 *
 * <p>The C original ends with {@code _exit(0)} (in case the unmapping hurt a library) without setbuf: its
 * stdout is buffered, so when stdout is a file or a pipe everything it printed is lost, as it would be
 * here. This port flushes stdout before {@code _exit} so that its story is seen either way.
 *
 * <p>Run: {@code ./mallocscope run mmap-overlapping-chunks}
 */
@Sample(name = "mmap-overlapping-chunks",
        description = "how2heap: an enlarged mmapped chunk's free unmaps its neighbour, which a new mapping overlaps")
public final class MmapOverlappingChunks implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        long ptr1 = c.malloc(0x10);
        c.printf("Mmap overlapping chunks: free() unmaps what the size word says.\n");
        c.printf("malloc(0x10) = %p, from the heap\n", ptr1);

        long first = c.malloc(0x100000);
        c.printf("first mmap chunk:  malloc(0x100000) = %p\n", first);
        long second = c.malloc(0x100000);
        c.printf("second mmap chunk: malloc(0x100000) = %p\n", second);
        long third = c.malloc(0x100000);
        c.printf("third mmap chunk:  malloc(0x100000) = %p\n", third);
        c.printf("Each mapping lies right below the one before: the kernel places them top-down.\n");

        c.printf("Third chunk: prev_size 0x%lx, size 0x%lx\n", c.getLong(third - 16), c.getLong(third - 8));
        long newSize = ((c.getLong(third - 8) & 0xFFFFFFFFFDL) + (c.getLong(second - 8) & 0xFFFFFFFFFDL)) | 2;
        c.putLong(third - 8, newSize); // the vulnerability: the size covers the second chunk's mapping too
        c.printf("Its size word now covers the second chunk too: 0x%lx\n", c.getLong(third - 8));

        c.free(third);
        c.printf("free(third) munmapped 0x%lx bytes: the third and the second chunk's mappings\n",
                newSize & ~7L);

        long overlapping = c.malloc(0x300000);
        c.printf("overlapping chunk: malloc(0x300000) = %p, size word 0x%lx\n", overlapping,
                c.getLong(overlapping - 8));
        long distance = (second - overlapping) / 8;
        c.printf("The second chunk lies 0x%lx words into it\n", distance);
        c.printf("second[0] before the write: 0x%lx\n", c.getLong(second));
        c.putLong(overlapping + 8 * distance, 0x1122334455667788L);
        c.printf("overlapping[0x%lx] = 0x1122334455667788\n", distance);
        c.printf("second[0] now reads 0x%lx\n", c.getLong(second));
        c.assertTrue(c.getLong(second) == c.getLong(overlapping + 8 * distance),
                "mmap_chunk_2[0] == overlapping_chunk[distance]");
        c.printf("The new chunk overlaps the second chunk, which the program still points at.\n");

        c.fflush(STDOUT); // the C original does not: with stdout a file or pipe, _exit loses it all
        c._exit(0);
        return 0;
    }
}
