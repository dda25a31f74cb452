/* The tcache's double-free check aborts the program, with glibc's message; buffered stdout is lost. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    void *p = malloc(40);
    printf("about to free %p twice\n", p);
    free(p);
    free(p);
    puts("not reached");
    return 0;
}
