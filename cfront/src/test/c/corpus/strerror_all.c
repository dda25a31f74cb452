/* strerror for every number glibc 2.36 knows (0..133): each text at its own place in libc's
 * read-only data, no heap change (two mallocs around it stay 0x20 apart); the gaps (41, 58) and
 * numbers past the table are "Unknown error N", malloc'ed. perror of numbers outside the common ones. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    setbuf(stdout, NULL);
    char *a = malloc(16);
    char *s = strerror(34);
    char *b = malloc(16);
    printf("34 \"%s\" b-a %#lx\n", s, (unsigned long) (b - a));
    for (int i = 0; i <= 135; i++) {
        if (i == 41 || i == 58 || i > 133) {
            continue;
        }
        char *t = strerror(i);
        printf("%3d %p %s\n", i, (void *) t, t);
    }
    char *c = malloc(16);
    printf("c-b %#lx\n", (unsigned long) (c - b));
    char *u = strerror(41);
    printf("41 \"%s\" %p\n", u, (void *) u);
    u = strerror(58);
    printf("58 \"%s\" %p\n", u, (void *) u);
    u = strerror(134);
    printf("134 \"%s\" %p\n", u, (void *) u);
    errno = E2BIG;
    perror("E2BIG");
    errno = ERANGE;
    perror("ERANGE");
    errno = 133;
    perror("133");
    errno = 58;
    perror("58");
    return 0;
}
