/* memcheck under the C front end against Valgrind: a write one past a block, a read of a block freed
   after it was made in a helper function (its stack has both frames), and two leaks, one malloc'ed by
   strdup (at malloc, by strdup, by main), with the program's own lines in every stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *copy(const char *s) {
    char *p = malloc(strlen(s) + 1);
    strcpy(p, s);
    return p;
}

static void fill(char *b, int n) {
    for (int i = 0; i <= n; i++) {
        b[i] = 'x';
    }
}

int main(void) {
    char *a = copy("hello");
    char *b = malloc(16);
    fill(b, 16);
    free(a);
    printf("%d\n", a[1] == 'e');
    char *label = strdup("lost");
    label = NULL;
    return 0;
}
