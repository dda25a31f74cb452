/* memcheck under the C front end against Valgrind, across fork(): the child goes on under memcheck
   with its own copy of the heap and reports its own errors and leaks (its pid in the prefix) when it
   ends, before the parent, which waited for it, reports its own. */
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

static void overrun(int n) {
    char *p = malloc(n);
    p[n] = 1;
}

int main(void) {
    char *shared = malloc(32);
    pid_t pid = fork();
    if (pid == 0) {
        overrun(16);
        free(shared);
        return 0;
    }
    waitpid(pid, NULL, 0);
    overrun(24);
    free(shared);
    return 0;
}
