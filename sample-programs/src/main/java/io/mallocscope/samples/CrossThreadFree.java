package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;
import static io.mallocscope.samples.Threads.heapOf;
import static io.mallocscope.samples.Threads.spawn;

/**
 * A block freed by another thread than the one that allocated it.
 *
 * <p>What to notice:
 * a) a small chunk goes into the tcache of the thread that frees it, whatever arena it came from: main's
 *    next malloc(24) returns the chunk that lies in the thread's heap;
 * b) a chunk too big for the tcache goes back to its own arena (arena_for_chunk: the A bit, then
 *    heap_for_ptr(p)->ar_ptr): its bk is the unsorted bin of the thread's arena, and its fd the chunk the
 *    thread's exit freed there before it (its tcache struct);
 * c) main's malloc(0x500) does not find it: main_arena's bins never hold another arena's chunks.
 *
 * <p>Run: {@code ./mallocscope run cross-thread-free}
 */
@Sample(name = "cross-thread-free", description = "freeing another thread's blocks: into your tcache, or back to their arena")
public final class CrossThreadFree implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        c.free(c.malloc(100)); // main's tcache exists
        long[] blocks = new long[2];
        c.pthread_join(spawn(c, (t, arg) -> {
            blocks[0] = t.malloc(24);
            blocks[1] = t.malloc(0x500);
            t.malloc(24); // keeps big away from top
            long h = heapOf(blocks[0]);
            t.printf("thread: small = its heap+0x%lx, big = its heap+0x%lx (size word 0x%lx)\n", blocks[0] - h,
                    blocks[1] - h, t.getLong(blocks[1] - 8));
            return 0;
        }, 0), 0);
        long small = blocks[0];
        long big = blocks[1];
        long h = heapOf(small);
        c.free(small);
        long again = c.malloc(24);
        c.printf("main:   free(small), malloc(24) = %s (small came back through main's own tcache)\n",
                again == small ? "small" : "another chunk");
        c.free(big);
        c.printf("main:   free(big): too big for a tcache, it goes to its own arena's unsorted bin: bk = its heap+0x%lx "
                + "(arena at heap+0x%lx), fd = heap+0x%lx (the thread's freed tcache struct)\n", c.getLong(big + 8) - h,
                c.getLong(h) - h, c.getLong(big) - h);
        long d = c.malloc(0x500);
        c.printf("main:   malloc(0x500) = heap+0x%lx (main_arena's heap, not big)\n", d - heap);
        return 0;
    }
}
