/*
 * fastbin-dup, in C: the twin of the Java sample FastbinDup (mallocscope run --c fastbin-dup).
 * Once the tcache bin is full, a double free through the fastbin makes calloc return one chunk twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <assert.h>

int main(void) {
    setbuf(stdout, NULL);
    printf("Double free through a fastbin.\n");
    printf("First, seven frees fill the tcache for this size.\n");
    void *ptrs[8];
    for (int i = 0; i < 8; i++) {
        ptrs[i] = malloc(8);
    }
    for (int i = 0; i < 7; i++) {
        free(ptrs[i]);
    }

    int *a = calloc(1, 8);
    int *b = calloc(1, 8);
    int *c = calloc(1, 8);
    printf("calloc #1: %p\n", (void *)a);
    printf("calloc #2: %p\n", (void *)b);
    printf("calloc #3: %p\n", (void *)c);

    printf("free(%p)\n", (void *)a);
    free(a);
    printf("free(%p): %p is no longer the fastbin's head\n", (void *)b, (void *)a);
    free(b);
    printf("free(%p) again: accepted\n", (void *)a);
    free(a);

    printf("The fastbin now reads [ %p, %p, %p ].\n", (void *)a, (void *)b, (void *)a);
    a = calloc(1, 8);
    b = calloc(1, 8);
    c = calloc(1, 8);
    printf("calloc #4: %p\n", (void *)a);
    printf("calloc #5: %p\n", (void *)b);
    printf("calloc #6: %p\n", (void *)c);
    assert(a == c);
    printf("#4 and #6 are the same chunk.\n");
    return 0;
}
