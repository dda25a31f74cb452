/* Reading stdin: scanf, fgets, getchar and sscanf; glibc mallocs stdin's buffer at the first read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    char *before = malloc(24);
    int n;
    unsigned long addr;
    char word[32];
    int got = scanf("%d %lx %31s", &n, &addr, word);
    char *after = malloc(24);
    printf("scanf: %d -> %d %#lx '%s'; before %p after %p\n", got, n, addr, word, (void *)before, (void *)after);
    char line[64];
    fgets(line, sizeof line, stdin); /* the rest of the first line */
    if (fgets(line, sizeof line, stdin) != NULL) {
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = 0;
        }
    }
    printf("line: '%s'\n", line);
    int c = getchar();
    printf("getchar: %c (%d)\n", c, c);
    int x, y;
    char name[8];
    int k = sscanf("12,-7 heap", "%d,%d %7s", &x, &y, name);
    printf("sscanf: %d -> %d %d %s\n", k, x, y, name);
    while ((c = getchar()) != EOF) {
        putchar(c == '\n' ? '|' : c);
    }
    printf("\nEOF: %d, scanf at EOF: %d\n", c, scanf("%d", &n));
    return 0;
}
