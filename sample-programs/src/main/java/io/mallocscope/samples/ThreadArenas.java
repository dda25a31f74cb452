package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;
import static io.mallocscope.samples.Threads.HEAP_MAX_SIZE;
import static io.mallocscope.samples.Threads.heapOf;
import static io.mallocscope.samples.Threads.spawn;
import static io.mallocscope.samples.Threads.yn;

/**
 * A thread gets its own arena and its own tcache: ptmalloc2's "per-thread" half.
 *
 * <p>What to notice:
 * a) the thread's first malloc does not come from main_arena's heap: arena_get2 made a new arena in a
 *    64 MiB-aligned heap mapped for it, whose heap_info (ar_ptr, prev, size, mprotect_size) comes first,
 *    the arena itself right after it (heap+0x30), then the thread's tcache struct (heap+0x8d0);
 * b) its chunk's size word has the A bit (NON_MAIN_ARENA, 0x4): free finds the arena through
 *    heap_for_ptr(p)->ar_ptr;
 * c) the block main freed stays in main's tcache: the thread does not get it, main does afterwards.
 *
 * <p>Run: {@code ./mallocscope run thread-arenas}
 */
@Sample(name = "thread-arenas", description = "a thread's first malloc makes its own arena (a 64 MiB heap) and tcache")
public final class ThreadArenas implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(24);
        c.printf("main:   malloc(24) = heap+0x%lx, size word 0x%lx (main_arena: no A bit)\n", a - heap,
                c.getLong(a - 8));
        c.free(a);
        c.printf("main:   freed it into main's tcache\n");
        c.pthread_join(spawn(c, (t, arg) -> {
            long p = t.malloc(24);
            long h = heapOf(p);
            t.printf("thread: malloc(24) = its heap+0x%lx, size word 0x%lx (0x20 | PREV_INUSE | NON_MAIN_ARENA)\n",
                    p - h, t.getLong(p - 8));
            t.printf("thread: its heap starts on a 64 MiB boundary: %s; heap_info.ar_ptr = heap+0x%lx, size 0x%lx, "
                    + "mprotect_size 0x%lx\n", yn(h % HEAP_MAX_SIZE == 0), t.getLong(h) - h, t.getLong(h + 16),
                    t.getLong(h + 24));
            t.printf("thread: its tcache struct is the chunk at heap+0x8d0, size word 0x%lx\n", t.getLong(h + 0x8d8));
            t.free(p);
            long q = t.malloc(24);
            t.printf("thread: free, malloc(24) again = heap+0x%lx (its own tcache)\n", q - h);
            return 0;
        }, 0), 0);
        long b = c.malloc(24);
        c.printf("main:   malloc(24) = heap+0x%lx (main's tcache still held it)\n", b - heap);
        return 0;
    }
}
