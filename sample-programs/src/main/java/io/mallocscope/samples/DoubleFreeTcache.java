package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * A double free caught by the tcache: glibc aborts the program.
 *
 * <p>What to notice:
 * a) the first free puts the chunk in the tcache and writes the tcache key into its second word;
 * b) the second free sees that key, walks the tcache list for that size, finds the chunk already there
 *    and stops the program with "free(): double free detected in tcache 2";
 * c) the process dies of SIGABRT: the shell reports status 134 (128 + 6), and the last line is never
 *    printed.
 *
 * <p>Run: {@code ./mallocscope run double-free-tcache}
 */
@Sample(name = "double-free-tcache", description = "free twice: glibc's tcache key check aborts", expectedStatus = 134)
public final class DoubleFreeTcache implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(24);
        c.printf("a = break+0x%lx\n", a - heap);
        c.free(a);
        c.printf("free(a) once: fine\n");
        c.free(a);
        c.printf("free(a) twice: not reached\n");
        return 0;
    }
}
