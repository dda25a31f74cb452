/* getline and getdelim on stdin as glibc 2.36's: a NULL buffer (or a size of 0) gets malloc(120) before
 * the stream's first read mallocs its own 4096; a line that does not fit is realloc'ed to what it needs
 * or twice the size, whichever is more, each time the bytes in the buffer run out; a line longer than
 * the stream's buffer spans refills; the delimiter is kept; a last line without it is returned at EOF,
 * then -1 with the buffer kept; a pushed-back byte comes first. Heap addresses, chunk sizes and the
 * sizes written back show each step. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t chunk(const char *p) {
    return ((const size_t *) p)[-1];
}

static void show(const char *what, ssize_t got, const char *line, size_t cap) {
    long *w = (long *) stdin;
    printf("%-8s %5zd cap %5zu at %p chunk %#6zx, %4ld buffered", what, got, cap, (void *) line, chunk(line),
           w[2] - w[1]);
    if (got > 0) { /* after -1 the buffer holds what it held (a fresh one, malloc's leftovers) */
        printf(" [%.24s] ends %d, length %zu", line, line[got - 1], strlen(line));
    }
    printf("\n");
}

int main(void) {
    char *before = malloc(24);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    for (int i = 0; i < 8 && (got = getline(&line, &cap, stdin)) != -1; i++) {
        show("getline", got, line, cap);
    }
    char *field = malloc(10);
    size_t fcap = 10;
    for (int k = 0; k < 4; k++) {
        got = getdelim(&field, &fcap, ',', stdin);
        show("getdelim", got, field, fcap);
    }
    ungetc('X', stdin);
    got = getline(&line, &cap, stdin);
    show("pushback", got, line, cap);
    char *old = line;
    cap = 0; /* a size of 0: a fresh 120 bytes, the old buffer left to the program */
    got = getline(&line, &cap, stdin);
    show("size 0", got, line, cap);
    free(old);
    got = getdelim(&line, &cap, '\0', stdin); /* no NUL in the input: the rest, to EOF */
    show("to EOF", got, line, cap);
    got = getline(&line, &cap, stdin);
    printf("at EOF %zd, cap %zu, line %p, feof %d\n", got, cap, (void *) line, feof(stdin));
    char *none = NULL;
    size_t ncap = 0;
    got = getline(&none, &ncap, stdin);
    printf("NULL at EOF %zd, %p cap %zu\n", got, (void *) none, ncap);
    errno = 0;
    got = getline(NULL, &cap, stdin);
    printf("no lineptr %zd errno %d\n", got, errno);
    char *after = malloc(24);
    printf("before %p after %p\n", (void *) before, (void *) after);
    free(none);
    free(field);
    free(line);
    free(after);
    free(before);
    return 0;
}
