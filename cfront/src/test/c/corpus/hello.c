/* The smallest check: text, a heap address, a stack address and the exit status. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int local = 42;
    char *p = malloc(24);
    printf("hello, %s: %d\n", "world", local);
    printf("p = %p, &local = %p\n", (void *)p, (void *)&local);
    free(p);
    return 3;
}
