package io.mallocscope.c;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * fork() from C beyond what corpus/fork_pipe.c compares with gcc: the child's interpreter goes on
 * from the same place with its own state, and what the front end cannot resume is named.
 */
class ForkTest {
    private static CProcess.Captured run(String source) {
        return CFront.compile("f.c", source).runCaptured(ProcessOptions.defaults());
    }

    @Test
    void theChildGoesOnInsideLoopsSwitchesAndCallsWithItsOwnCopyOfTheState() {
        CProcess.Captured r = run("""
                #include <stdio.h>
                #include <stdlib.h>
                #include <unistd.h>
                #include <sys/wait.h>
                static int pick(int i) {
                    switch (i) {
                    case 1: { int c = fork(); return c == 0 ? 100 + i : i; }
                    default: return i;
                    }
                }
                int main(void) {
                    setbuf(stdout, NULL);
                    int total = 0;
                    for (int i = 0; i < 3; i++) {
                        int v = pick(i);
                        total = total * 10 + v;
                        if (v > 100) {
                            srand(7);
                        }
                    }
                    printf("pid %d total %d rand %d\\n", getpid(), total, rand());
                    if (total == 12) {
                        int st;
                        wait(&st);
                        printf("child ended with %d\\n", WEXITSTATUS(st));
                    }
                    return total % 256;
                }
                """);
        // the child: pick(1) is 101 there, so it seeds rand and its total is 0, 101, 2 → 1012; the parent's 0, 1, 2 → 12
        assertThat(r.stdout()).isEqualTo("pid 2 total 12 rand 1804289383\n"
                + "pid 3 total 1012 rand 1045618677\n"
                + "child ended with " + (1012 % 256) + "\n");
        assertThat(r.status().code()).isEqualTo(12);
    }
}
