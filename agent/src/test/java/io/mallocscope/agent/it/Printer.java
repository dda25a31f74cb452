package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;

/**
 * Prints on both streams through LibC, run by OutputIT: a first printf (stdout's buffer is
 * malloc'ed then), non-ASCII text, a character put a byte at a time, malloc_stats (glibc prints
 * inside a recorded call) and a last line.
 */
public final class Printer {
    public static void main(String[] args) {
        ProcessOptions o = ProcessOptions.defaults().withProgramName("printer");
        System.exit(CProcess.create(o).run((c, argv) -> {
            c.fprintf(LibC.STDERR, "starting\n");
            long p = c.malloc(24);
            c.printf("p = %p, naïve ✓\n", p);
            c.putchar(0xC3);
            c.putchar(0xA9);
            c.putchar('\n');
            c.malloc_stats();
            c.free(p);
            c.puts("done");
            return 0;
        }, args).code());
    }
}
