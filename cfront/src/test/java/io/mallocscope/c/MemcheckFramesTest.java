package io.mallocscope.c;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * memcheck on a C program: its reports' stacks are the program's C frames, innermost first, each at
 * the line it is at (the call, or the statement making the access), as Valgrind shows a C program's,
 * with none of the interpreter's Java frames. A write to a page memcheck had no shadow of (a local
 * array's initialiser) leaves the rest of that page valid.
 */
class MemcheckFramesTest {
    private static final String SOURCE = """
            #include <stdlib.h>
            #include <string.h>
            static char *make(int n) {
                char *p = malloc(n);
                memset(p, 'a', n);
                return p;
            }
            static void fill(char *p, int n) {
                for (int i = 0; i <= n; i++)
                    p[i] = 'x';
            }
            static int by_first(const void *a, const void *b) {
                char *leak = strdup("compared");
                return *(const char *) a - *(const char *) b + (leak[0] - 'c');
            }
            int main(void) {
                char *a = make(10);
                char *b = strdup("hello");
                a[0] = b[0];
                char *c = malloc(8);
                fill(c, 8);
                char pair[2] = {'b', 'a'};
                qsort(pair, 2, 1, by_first);
                return 0;
            }
            """;

    @Test
    void reportsShowTheCProgramsFrames() {
        CProcess.Captured run = CFront.compile("leak.c", SOURCE).runCaptured(ProcessOptions.defaults().withMemcheck(true));
        String err = run.stderr();
        assertThat(err).doesNotContain("io.mallocscope");
        // qsort's temporary array is on the stack page main's initialised pair is on: not an invalid access
        assertThat(err).doesNotContain("stack");
        assertThat(err).contains("""
                ==1== Invalid write of size 1
                ==1==    at fill (leak.c:10)
                ==1==    by main (leak.c:21)
                ==1==  Address 0x5555555592e8 is 0 bytes after a block of size 8 alloc'd
                ==1==    at malloc
                ==1==    by main (leak.c:20)
                """);
        assertThat(err).contains("""
                ==1== 10 bytes in 1 blocks are definitely lost in loss record 4 of 4
                ==1==    at malloc
                ==1==    by make (leak.c:4)
                ==1==    by main (leak.c:17)
                """);
        assertThat(err).contains("""
                ==1==    at malloc
                ==1==    by strdup
                ==1==    by main (leak.c:18)
                """);
        // Valgrind shows glibc's msort and qsort between the comparison function and main; they are not modelled
        assertThat(err).contains("""
                ==1==    by strdup
                ==1==    by by_first (leak.c:13)
                ==1==    by main (leak.c:23)
                """);
    }
}
