/* memcheck under the C front end against Valgrind: the program branches on values loaded from a block
   malloc left uninitialised (if, while, ?:, &&, switch), each reported at its line; arithmetic on them
   is silent until a branch, and a value written before it is read is defined. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int *counts = malloc(4 * sizeof(int));
    if (counts[0] > 0) {
        puts("positive");
    }
    int next = counts[1] + 1; /* silent: the sum is undefined, nothing decides on it yet */
    while (next > 10) {
        next--;
    }
    const char *word = counts[2] ? "yes" : "no";
    puts(word);
    if (counts[3] == 0 && counts[0] < 5) {
        puts("both");
    }
    switch (counts[2]) {
    case 1:
        puts("one");
        break;
    default:
        puts("other");
    }
    counts[3] = 7;
    if (counts[3] == 7) { /* written: defined */
        puts("seven");
    }
    for (int i = 0; i < 3; i++) {
        if (counts[1] != i) { /* one context, counted three times */
            puts("differs");
        }
    }
    free(counts);
    return 0;
}
