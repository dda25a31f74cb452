package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;
import static io.mallocscope.samples.Threads.heapOf;
import static io.mallocscope.samples.Threads.spawn;
import static io.mallocscope.samples.Threads.yn;

/**
 * An arena outlives its thread: at exit the thread's tcache is emptied and freed and its arena goes on
 * arena.c's free list, where the next thread's first malloc finds it (get_free_list).
 *
 * <p>What to notice:
 * a) thread 2's block lies in thread 1's heap: no new arena was made;
 * b) it is not at thread 1's address: thread 1's tcache struct and block went back into the arena at its
 *    exit, and thread 2 made a new tcache struct from them first;
 * c) thread 2 also ran on thread 1's stack (the same pthread_t): joined threads' stacks are cached;
 * d) once thread 2 has ended too, the arena's attached_threads is back to 0.
 *
 * <p>Run: {@code ./mallocscope run arena-reuse}
 */
@Sample(name = "arena-reuse", description = "an ended thread's arena goes on the free list and the next thread takes it")
public final class ArenaReuse implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long[] first = new long[2];
        long[] second = new long[2];
        c.pthread_join(spawn(c, (t, arg) -> {
            first[0] = t.malloc(24);
            first[1] = t.pthread_self();
            t.printf("thread 1: malloc(24) = its heap+0x%lx\n", first[0] - heapOf(first[0]));
            return 0;
        }, 0), 0);
        c.printf("main:     thread 1 ended: its tcache was emptied and freed, its arena put on the free list\n");
        c.pthread_join(spawn(c, (t, arg) -> {
            second[0] = t.malloc(24);
            second[1] = t.pthread_self();
            t.printf("thread 2: malloc(24) = its heap+0x%lx\n", second[0] - heapOf(second[0]));
            return 0;
        }, 0), 0);
        c.printf("main:     thread 2 used thread 1's heap: %s\n", yn(heapOf(first[0]) == heapOf(second[0])));
        c.printf("main:     thread 2 ran on thread 1's cached stack (same pthread_t): %s\n", yn(first[1] == second[1]));
        long h = heapOf(first[0]);
        c.printf("main:     the arena's attached_threads is %ld again\n", c.getLong(h + 0x30 + 0x880));
        return 0;
    }
}
