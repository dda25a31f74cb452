package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;

/** malloc/free forever, reporting progress on stdout; AgentIT kills it with SIGKILL. */
public final class SlowLoop {
    public static void main(String[] args) throws InterruptedException {
        LibC c = CProcess.create().libc();
        for (int i = 1; ; i++) {
            long p = c.malloc(16 + (i % 50) * 16);
            c.free(p);
            if (i % 500 == 0) {
                System.out.println("ops " + i);
                System.out.flush();
                Thread.sleep(5);
            }
        }
    }
}
