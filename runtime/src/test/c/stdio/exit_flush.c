/* What reaches stdout (a pipe: fully buffered, 4096 bytes) when a program ends with exit, _exit,
 * abort (no stream flushed since glibc 2.27) or a SIGSEGV.
 * argv[1]: "exit", "_exit", "abort" or "segv"; argv[2]: how many 'x' to print first (0 for none).
 * ExitFlushMatchesGlibcTest runs the same calls on the simulator and compares stdout and stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int n = atoi(argv[2]);
    for (int i = 0; i < n; i++)
        putchar('x');
    printf("a line\n");
    printf("an unfinished line");
    fprintf(stderr, "stderr is unbuffered\n");
    if (strcmp(argv[1], "_exit") == 0)
        _exit(3);
    if (strcmp(argv[1], "abort") == 0)
        abort();
    if (strcmp(argv[1], "segv") == 0) {
        char *volatile nowhere = NULL;
        memset(nowhere, 0, 1);
    }
    exit(3);
}
