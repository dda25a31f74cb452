/* Read from a pipe (StdinPipeTest only: on a file glibc's seeks succeed and the output differs): the
 * seeks glibc makes on stdin fail with ESPIPE, which it ignores. fflush(stdin) keeps what the buffer
 * holds; setvbuf with unread bytes in the buffer drops them. */
#include <errno.h>
#include <stdio.h>

int main(void) {
    int c = getchar();
    printf("getchar %c\n", c);
    long *w = (long *) stdin;
    printf("unread %ld\n", w[2] - w[1]);
    errno = 0;
    int r = fflush(stdin);
    printf("fflush %d errno %d unread %ld\n", r, errno, w[2] - w[1]);
    c = getchar();
    printf("getchar %c\n", c);
    static char mine[16];
    errno = 0;
    r = setvbuf(stdin, mine, _IOFBF, sizeof mine);
    printf("setvbuf %d errno %d unread %ld\n", r, errno, w[2] - w[1]);
    c = getchar();
    printf("getchar %d feof %d\n", c, feof(stdin));
    return 0;
}
