package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;

/**
 * Run with "threads" or "fork", snapping the live state ({@link Snap}) after every call.
 *
 * <p>threads: main allocates and creates two threads (each creation calloc's a DTV from main's heap);
 * they run when main joins: the first allocates in its own arena, frees into its own tcache, frees
 * one of main's blocks (a cross-thread free) and returns 7; its exit frees its tcache. The second only
 * allocates. After both joins a third thread gets the first one's cached stack and its arena back
 * from the free list. Prints what the first thread returned.
 *
 * <p>fork-threads: the child makes two threads; the first allocates in an arena of its own, frees one of
 * the child's blocks into its tcache and returns 9 (its exit frees its tcache); the child joins it, the
 * second gets its cached stack and arena back; the parent allocates meanwhile and waits.
 *
 * <p>fork: the child gets a copy of the heap; its mallocs and frees change only its own, while the
 * parent allocates in its own; the parent waits for it and prints its status.
 */
public final class Threads {
    public static void main(String[] args) {
        ProcessOptions o = ProcessOptions.defaults().withProgramName("threads");
        System.exit(CProcess.create(o).run((c, argv) -> argv[1].equals("fork") ? fork(c)
                : argv[1].equals("fork-threads") ? forkThreads(c)
                : argv[1].equals("fork-in-thread") ? forkInThread(c) : threads(c), args).code());
    }

    private static int threads(LibC c) {
        long a = c.malloc(24);
        Snap.take(c);
        long ts = c.malloc(32);
        Snap.take(c);
        c.pthread_create(ts, 0, (tc, arg) -> {
            long p = tc.malloc(24);
            Snap.take(tc);
            tc.putLong(p, 0x1111);
            Snap.take(tc);
            tc.free(p);
            Snap.take(tc);
            tc.free(a);
            Snap.take(tc);
            tc.malloc(0x100);
            Snap.take(tc);
            return 7;
        }, 0);
        Snap.take(c);
        c.pthread_create(ts + 8, 0, (tc, arg) -> {
            tc.malloc(24);
            Snap.take(tc);
            return 0;
        }, 0);
        Snap.take(c);
        long ret = c.malloc(8);
        Snap.take(c);
        c.pthread_join(c.getLong(ts), ret);
        Snap.take(c);
        c.pthread_join(c.getLong(ts + 8), 0);
        Snap.take(c);
        c.pthread_create(ts + 16, 0, (tc, arg) -> {
            tc.malloc(0x30);
            Snap.take(tc);
            return 0;
        }, 0);
        Snap.take(c);
        c.pthread_join(c.getLong(ts + 16), 0);
        Snap.take(c);
        c.free(ts);
        Snap.take(c);
        c.printf("first thread returned %d\n", c.getLong(ret));
        return 0;
    }

    private static int fork(LibC c) {
        long a = c.malloc(24);
        Snap.take(c);
        int pid = c.fork(child -> {
            Snap.take(child);
            long b = child.malloc(40);
            Snap.take(child);
            child.free(a);
            Snap.take(child);
            child.putLong(b, 5);
            Snap.take(child);
            return 3;
        });
        Snap.take(c);
        long st = c.malloc(4);
        Snap.take(c);
        c.waitpid(pid, st, 0);
        Snap.take(c);
        c.free(a);
        Snap.take(c);
        c.printf("child exited with %d\n", LibC.WEXITSTATUS(c.getInt(st)));
        return 0;
    }

    private static int forkThreads(LibC c) {
        long a = c.malloc(24);
        Snap.take(c);
        int pid = c.fork(child -> {
            long ts = child.malloc(16);
            Snap.take(child);
            child.pthread_create(ts, 0, (tc, arg) -> {
                long p = tc.malloc(0x48);
                Snap.take(tc);
                tc.putLong(p, 0x2222);
                Snap.take(tc);
                tc.free(a);
                Snap.take(tc);
                return 9;
            }, 0);
            Snap.take(child);
            long ret = child.malloc(8);
            Snap.take(child);
            child.pthread_join(child.getLong(ts), ret);
            Snap.take(child);
            child.pthread_create(ts + 8, 0, (tc, arg) -> {
                tc.malloc(0x30);
                Snap.take(tc);
                return 0;
            }, 0);
            Snap.take(child);
            child.pthread_join(child.getLong(ts + 8), 0);
            Snap.take(child);
            return (int) child.getLong(ret);
        });
        Snap.take(c);
        long st = c.malloc(4);
        Snap.take(c);
        c.waitpid(pid, st, 0);
        Snap.take(c);
        c.printf("child exited with %d\n", LibC.WEXITSTATUS(c.getInt(st)));
        return 0;
    }

    /**
     * fork-in-thread: a thread forks; the child's only thread is that thread going on, whose malloc takes
     * the chunk the thread freed into its tcache before the fork; a thread the child makes gets
     * main_arena (glibc's fork handler put it on the free list).
     */
    private static int forkInThread(LibC c) {
        long ts = c.malloc(16);
        Snap.take(c);
        c.pthread_create(ts, 0, (tc, arg) -> {
            long p = tc.malloc(0x48);
            Snap.take(tc);
            tc.free(p);
            Snap.take(tc);
            int pid = tc.fork(child -> {
                Snap.take(child);
                long q = child.malloc(0x48);
                Snap.take(child);
                child.putLong(q, 0x3333);
                Snap.take(child);
                long ct = child.malloc(8);
                Snap.take(child);
                child.pthread_create(ct, 0, (t2, a2) -> {
                    t2.malloc(0x20);
                    Snap.take(t2);
                    return 0;
                }, 0);
                Snap.take(child);
                child.pthread_join(child.getLong(ct), 0);
                Snap.take(child);
                return 4;
            });
            Snap.take(tc);
            long st = tc.malloc(4);
            Snap.take(tc);
            tc.waitpid(pid, st, 0);
            Snap.take(tc);
            return LibC.WEXITSTATUS(tc.getInt(st));
        }, 0);
        Snap.take(c);
        long ret = c.malloc(8);
        Snap.take(c);
        c.pthread_join(c.getLong(ts), ret);
        Snap.take(c);
        c.printf("child exited with %d\n", c.getLong(ret));
        return 0;
    }
}
