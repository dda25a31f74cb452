package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;

/** N rounds of malloc/malloc/free/free over a window of live blocks; holds nothing per round (for -Xmx64m runs). */
public final class Churn {
    public static void main(String[] args) {
        long rounds = Long.parseLong(args[0]);
        LibC c = CProcess.create().libc();
        long[] live = new long[256];
        for (long i = 0; i < rounds; i++) {
            int k = (int) (i & 255);
            if (live[k] != 0) {
                c.free(live[k]);
            }
            live[k] = c.malloc(16 + ((i * 7919) % 1500));
        }
        System.out.println("rounds " + rounds);
    }
}
