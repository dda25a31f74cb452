package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;

/**
 * Threads calling and writing from different lines, for the sites of a threaded recording (#13, #15):
 * main blocks in pthread_join while the thread calls, writes and makes a library call that records
 * nothing (getpid) last. Each line the test looks for ends with a comment naming it ({@code // @name}).
 */
public final class SiteThreads {
    public static void main(String[] args) {
        ProcessOptions o = ProcessOptions.defaults().withProgramName("site-threads");
        System.exit(CProcess.create(o).run((c, argv) -> {
            long ts = c.malloc(16); // @main-malloc-ts
            long a = c.malloc(0x18); // @main-malloc-a
            c.pthread_create(ts, 0, (tc, arg) -> { // @main-create
                long p = tc.malloc(0x28); // @t1-malloc
                tc.putLong(p, 0x1111); // @t1-write
                tc.free(p); // @t1-free
                tc.getpid(); // @t1-getpid
                return 0;
            }, 0);
            c.putLong(a, 0x2222); // @main-write
            c.pthread_join(c.getLong(ts), 0); // @main-join
            c.putLong(a + 8, 0x3333); // @main-write-after
            c.free(a); // @main-free
            return 0;
        }, args).code());
    }
}
