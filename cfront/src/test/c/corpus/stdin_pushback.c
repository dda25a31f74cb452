/* ungetc on stdin as glibc 2.36 does it: a byte just read is stepped back over; any other goes into
 * the pushback area (128 bytes malloc'ed at the first, doubled when full), read before the buffer and
 * freed when the buffer is next refilled, at the end of the input too. The FILE's fields and the heap
 * addresses show each step. */
#include <stdio.h>
#include <stdlib.h>

static void show(const char *what) {
    long *w = (long *) stdin;
    printf("%-10s flags %08x r %lx %lx %lx buf %lx-%lx save %lx %lx %lx\n", what, *(unsigned int *) stdin,
           w[1], w[2], w[3], w[7], w[8], w[9], w[10], w[11]);
}

int main(void) {
    show("start");
    printf("ungetc %c\n", ungetc('x', stdin)); /* before any read: the pushback area, no buffer yet */
    show("pushed x");
    printf("getchar %c\n", getchar());
    show("read x");
    int c = getchar(); /* the pushback area is freed, then the buffer malloc'ed and filled */
    printf("getchar %c\n", c);
    show("first");
    void *p = malloc(120);
    printf("malloc(120) %p\n", p);
    printf("ungetc %c\n", ungetc(c, stdin)); /* the byte just read: stepped back over */
    show("back");
    printf("getchar %c\n", getchar());
    ungetc('7', stdin); /* another byte: the pushback area again */
    ungetc('4', stdin);
    show("pushed 47");
    int n = 0;
    printf("scanf %d: ", scanf("%d", &n)); /* across the pushed-back digits into the buffer */
    printf("%d\n", n);
    show("scanned");
    for (int i = 0; i < 200; i++) { /* more than 128: the area is doubled */
        ungetc('a' + i % 26, stdin);
    }
    show("200 back");
    char line[300];
    printf("fgets %.20s...\n", fgets(line, sizeof line, stdin));
    show("fgets");
    char big[8192];
    size_t got = fread(big, 1, 3000, stdin);
    printf("fread %zu\n", got);
    show("fread");
    ungetc('#', stdin);
    show("pushed #");
    got = fread(big, 1, 4000, stdin); /* past the buffer's end: refilled, the area freed */
    printf("fread %zu: %c\n", got, big[0]);
    show("refilled");
    void *q = malloc(120);
    printf("malloc(120) %p\n", q);
    while ((c = getchar()) != EOF) {
    }
    show("eof");
    printf("feof %d\n", feof(stdin));
    printf("ungetc %c\n", ungetc('z', stdin)); /* clears the end-of-file flag */
    show("pushed z");
    printf("feof %d\n", feof(stdin));
    printf("getchar %c\n", getchar());
    printf("getchar %d feof %d\n", getchar(), feof(stdin));
    show("end");
    free(p);
    free(q);
    return 0;
}
