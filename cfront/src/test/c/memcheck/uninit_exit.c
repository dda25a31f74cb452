/* memcheck under the C front end against Valgrind: undefined sizes given to calloc and realloc (each
   one jump in Valgrind's allocator), and an undefined status given to exit, reported where glibc's
   _Exit makes the exit_group system call, under the program's frames. */
#include <stdio.h>
#include <stdlib.h>

static void leave(int status) {
    fflush(stdout);
    exit(status);
}

int main(void) {
    int *counts = malloc(3 * sizeof(int));
    char *names = calloc(counts[0], 8);
    names = realloc(names, counts[1] + 32);
    names[0] = 'n';
    printf("%c\n", names[0]);
    free(names);
    int status = counts[2];
    free(counts);
    leave(status);
    return 1;
}
