/* getline and getdelim on streams fopen made, as glibc 2.36's: the line's 120 bytes malloc'ed before the
 * stream's 4096-byte buffer (at the first read), realloc'ed to what the line needs or twice the size; a
 * line longer than the buffer spans refills; a write-only stream fails (EBADF, after the malloc) and then
 * fails at once, its error flag set; fclose frees the stream's buffer and FILE, not the line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t chunk(const char *p) {
    return ((const size_t *) p)[-1];
}

int main(void) {
    FILE *w = fopen("getline_file.txt", "w");
    fputs("first\n\nthird line\n", w);
    for (int i = 0; i < 6000; i++) {
        fputc('a' + i % 26, w);
    }
    fputs("\nk=v;x=y;last", w);
    char *none = NULL;
    size_t ncap = 0;
    errno = 0;
    ssize_t got = getline(&none, &ncap, w);
    printf("write-only: %zd errno %d ferror %d, %p cap %zu\n", got, errno, ferror(w), (void *) none, ncap);
    char *again = NULL;
    size_t acap = 0;
    got = getline(&again, &acap, w);
    printf("again: %zd %p cap %zu\n", got, (void *) again, acap);
    fclose(w);

    FILE *r = fopen("getline_file.txt", "r");
    char *line = NULL;
    size_t cap = 0;
    for (int i = 0; i < 4; i++) {
        got = getline(&line, &cap, r);
        printf("getline %4zd cap %5zu at %p chunk %#6zx [%.10s] length %zu\n", got, cap, (void *) line,
               chunk(line), line, strlen(line));
    }
    char *field = NULL;
    size_t fcap = 0;
    while ((got = getdelim(&field, &fcap, ';', r)) != -1) {
        printf("getdelim %zd cap %zu at %p [%s] feof %d\n", got, fcap, (void *) field, field, feof(r));
    }
    printf("end: feof %d ferror %d\n", feof(r), ferror(r));
    char *after = malloc(24);
    fclose(r);
    char *later = malloc(24);
    printf("none %p line %p field %p after %p later %p\n", (void *) none, (void *) line, (void *) field,
           (void *) after, (void *) later);
    free(line);
    free(field);
    free(none);
    remove("getline_file.txt");
    return 0;
}
