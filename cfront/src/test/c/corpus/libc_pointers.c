/* Library functions whose address the program takes get a GOT entry from ld, not a .got.plt slot, and
 * their calls go through .plt.got: the globals after .got.plt and the first function after the PLT
 * sit where they do natively only if those are counted apart (malloc and free called and taken, puts
 * only taken, printf only called). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int counter;
static char label[] = "pointers";

static void *twice(void *(*alloc)(size_t), size_t n) {
    return alloc(n * 2);
}

int main(void) {
    void *(*alloc)(size_t) = malloc;
    void (*release)(void *) = free;
    int (*say)(const char *) = puts;
    char *a = twice(alloc, 12);
    char *b = malloc(40);
    strcpy(a, label);
    say(a);
    printf("a %p b %p counter %p label %p first function %p\n", (void *) a, (void *) b, (void *) &counter,
           (void *) label, (void *) twice);
    release(a);
    free(b);
    printf("same function: %d\n", alloc == malloc);
    return 0;
}
