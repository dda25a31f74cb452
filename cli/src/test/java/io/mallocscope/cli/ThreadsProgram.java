package io.mallocscope.cli;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;

/**
 * A threaded program for the views' tests, recorded by the agent: main allocates and starts two
 * threads; while main waits for the first, it allocates in its own arena, frees into its own tcache
 * and frees one of main's blocks (a cross-thread free), then returns; the second thread allocates and
 * is still running when the recording's last call is made (main allocates one more block).
 */
public final class ThreadsProgram {
    public static void main(String[] args) {
        ProcessOptions o = ProcessOptions.defaults().withProgramName("threads");
        System.exit(CProcess.create(o).run((c, argv) -> {
            long a = c.malloc(0x18);
            long ts = c.malloc(16);
            c.pthread_create(ts, 0, (tc, arg) -> {
                long p = tc.malloc(0x18);
                long q = tc.malloc(0x48);
                tc.free(p);
                tc.free(a);
                return q;
            }, 0);
            long sem = c.malloc(32);
            c.sem_init(sem, 0, 0);
            c.pthread_create(ts + 8, 0, (tc, arg) -> {
                tc.malloc(0x28);
                tc.sem_wait(sem); // nobody posts: still alive when main returns
                return 0;
            }, 0);
            c.pthread_join(c.getLong(ts), 0); // the first thread runs to its end, then the second until it waits
            c.malloc(0x38);
            return 0;
        }, args).code());
    }
}
