/* memcheck under the C front end against Valgrind: main returns a value never initialised; Valgrind
   reports the exit_group system call glibc makes below main, with no frame of the program's. */
#include <stdlib.h>

static int result(const int *flags) {
    return flags[1] * 2;
}

int main(void) {
    int *flags = malloc(2 * sizeof(int));
    flags[0] = 1;
    int r = result(flags);
    free(flags);
    return r;
}
