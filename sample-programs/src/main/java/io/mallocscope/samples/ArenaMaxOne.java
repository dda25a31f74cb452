package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;
import static io.mallocscope.samples.Threads.spawn;

/**
 * {@code arena_max = 1}: no thread gets an arena of its own. mallopt(M_ARENA_MAX, 1) sets what
 * {@code GLIBC_TUNABLES=glibc.malloc.arena_max=1} sets; arena_get2 then finds narenas at the limit and
 * calls reused_arena, which hands out main_arena.
 *
 * <p>What to notice:
 * a) both threads' blocks lie in main_arena's heap and have no A bit;
 * b) each thread still has its own tcache: each one's first malloc carved a 0x290 tcache struct from
 *    main_arena's top just before its block;
 * c) with both threads alive, malloc_info lists one heap: main_arena (attached to three threads).
 *
 * <p>Run: {@code ./mallocscope run arena-max-one}
 */
@Sample(name = "arena-max-one", description = "arena_max=1: reused_arena gives every thread main_arena")
public final class ArenaMaxOne implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long ready = c.global("ready", 32);
        long go = c.global("go", 32);
        c.sem_init(ready, 0, 0);
        c.sem_init(go, 0, 0);
        c.mallopt(LibC.M_ARENA_MAX, 1); // what GLIBC_TUNABLES=glibc.malloc.arena_max=1 sets
        long a = c.malloc(24);
        c.printf("main:     malloc(24) = heap+0x%lx\n", a - heap);
        long[] threads = new long[2];
        for (int k = 1; k <= 2; k++) {
            threads[k - 1] = spawn(c, (t, arg) -> {
                long p = t.malloc(24);
                t.printf("thread %ld: malloc(24) = heap+0x%lx, size word 0x%lx (main_arena's heap: no A bit)\n", arg,
                        p - heap, t.getLong(p - 8));
                t.printf("thread %ld: its tcache struct is the 0x290 chunk at heap+0x%lx (size word 0x%lx)\n", arg,
                        p - 0x2a0 - heap, t.getLong(p - 0x2a0 + 8));
                t.sem_post(ready);
                t.sem_wait(go);
                return 0;
            }, k);
            c.sem_wait(ready);
        }
        c.printf("main:     both threads alive, and malloc_info lists one arena:\n");
        c.malloc_info(0, STDOUT);
        c.sem_post(go);
        c.sem_post(go);
        c.pthread_join(threads[0], 0);
        c.pthread_join(threads[1], 0);
        return 0;
    }
}
