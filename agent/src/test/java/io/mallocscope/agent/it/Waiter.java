package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/** Makes one allocation, waits for a line on stdin (AgentIT attaches meanwhile), then allocates more. */
public final class Waiter {
    public static void main(String[] args) throws Exception {
        LibC c = CProcess.create().libc();
        long first = c.malloc(100);
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        long p = c.malloc(200);
        c.free(first);
        c.free(p);
        System.out.println("done");
    }
}
