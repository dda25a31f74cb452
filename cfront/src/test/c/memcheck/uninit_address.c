/* memcheck under the C front end against Valgrind: undefined values used as addresses, each Valgrind's
   "Use of uninitialised value of size 8": an index read from an uninitialised block, and a pointer
   moved by an uninitialised offset, read and written through; what is loaded through them is as
   defined as its own bytes. */
#include <stdio.h>
#include <stdlib.h>

static int table[4] = {10, 20, 30, 40};

static int lookup(const long *slots) {
    return table[slots[0]]; /* the index was never written */
}

int main(void) {
    long *slots = malloc(2 * sizeof(long));
    int v = lookup(slots);
    if (v == 10) { /* the element itself is defined */
        puts("ten");
    }
    char text[8] = "abc";
    long *offsets = malloc(2 * sizeof(long));
    char *at = text + offsets[1]; /* undefined, though it points into text */
    if (*at == 'a') {
        puts("a");
    }
    *at = 'z';
    slots[1] = 2;
    if (table[slots[1]] == 30) {
        puts("thirty");
    }
    free(offsets);
    free(slots);
    return 0;
}
