/* stdin without a heap buffer, as how2heap's programs set it up (setbuf(stdin, NULL): one byte per
 * read(2) through the FILE's _shortbuf), then with a 16-byte buffer of the program's: fgets, scanf,
 * getchar and ungetc, with the FILE's fields and the heap. */
#include <stdio.h>
#include <stdlib.h>

static void show(const char *what) {
    long *w = (long *) stdin;
    long base = w[7];
    printf("%-10s flags %08x r +%ld +%ld +%ld buf +%ld save %lx %lx %lx\n", what, *(unsigned int *) stdin,
           w[1] - base, w[2] - base, w[3] - base, w[8] - base, w[9], w[10], w[11]);
}

int main(void) {
    setbuf(stdin, NULL);
    char line[32];
    printf("fgets %s", fgets(line, sizeof line, stdin));
    show("unbuf");
    int n = 0;
    int got = scanf("%d", &n);
    printf("scanf %d: %d\n", got, n);
    show("scanned");
    int c = getchar();
    printf("getchar %d\n", c);
    ungetc(c, stdin);
    show("back");
    ungetc('9', stdin);
    show("pushed 9");
    got = scanf("%d", &n);
    printf("scanf %d: %d\n", got, n);
    void *p = malloc(24);
    printf("malloc %p\n", p);
    while ((c = getchar()) != '\n' && c != EOF) { /* nothing left unread in _shortbuf: a file and a pipe agree */
    }
    static char mine[16];
    setvbuf(stdin, mine, _IOFBF, sizeof mine);
    printf("fgets %s", fgets(line, sizeof line, stdin));
    show("mine");
    printf("fgets %s", fgets(line, sizeof line, stdin));
    show("mine 2");
    ungetc('x', stdin);
    ungetc('y', stdin);
    show("pushed xy");
    c = getchar();
    printf("getchar %c", c);
    c = getchar();
    printf("%c", c);
    c = getchar();
    printf("%c\n", c);
    while (fgets(line, sizeof line, stdin) != NULL) {
    }
    show("eof");
    printf("feof %d\n", feof(stdin));
    free(p);
    return 0;
}
