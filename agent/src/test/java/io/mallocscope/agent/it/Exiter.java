package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;

/**
 * Prints a line and flushes it, prints another, mallocs and then ends with {@code _exit} (or
 * {@code exit}, argv[1]), run by OutputIT: on a pipe the second line is still in stdout's buffer
 * when {@code _exit} ends the process, so the process's stdout never gets it, as in C.
 */
public final class Exiter {
    public static void main(String[] args) {
        ProcessOptions o = ProcessOptions.defaults().withProgramName("exiter");
        System.exit(CProcess.create(o).run((c, argv) -> {
            c.printf("flushed\n");
            c.fflush(LibC.STDOUT);
            c.printf("held until exit\n");
            long p = c.malloc(24);
            c.fprintf(LibC.STDERR, "p = %p\n", p);
            if (argv[1].equals("_exit")) {
                c._exit(5);
            }
            c.exit(5);
            return 0;
        }, args).code());
    }
}
