package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;

/** A program that only uses kernel calls and stores through LibC (no malloc), run by AgentIT. */
public final class KernelOnly {
    public static void main(String[] args) {
        ProcessOptions o = ProcessOptions.defaults().withProgramName("kernel-only");
        ExitStatus s = CProcess.create(o).run((c, argv) -> {
            long old = c.sbrk(0x2000);
            c.putLong(old, 0x1122334455667788L);
            c.strcpy(old + 8, "brk memory");
            long m = c.mmap(0, 0x3000, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
            c.memset(m, 0x5a, 0x100);
            c.memcpy(m + 0x100, old, 16);
            c.munmap(m + 0x1000, 0x1000);
            c.brk(old + 0x1000);
            return 0;
        }, args);
        System.exit(s.code());
    }
}
