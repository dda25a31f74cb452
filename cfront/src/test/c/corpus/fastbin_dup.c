/* A double free through the fastbins once the tcache bin is full. */
#include <stdio.h>
#include <stdlib.h>
#include <assert.h>

int main(void) {
    setbuf(stdout, NULL);
    void *fill[7];
    for (int i = 0; i < 7; i++) {
        fill[i] = malloc(8);
    }
    int *a = calloc(1, 8);
    int *b = calloc(1, 8);
    int *c = calloc(1, 8);
    printf("a=%p b=%p c=%p\n", (void *)a, (void *)b, (void *)c);
    for (int i = 0; i < 7; i++) {
        free(fill[i]);
    }
    free(a);
    free(b);
    free(a);
    a = calloc(1, 8);
    b = calloc(1, 8);
    c = calloc(1, 8);
    printf("a=%p b=%p c=%p\n", (void *)a, (void *)b, (void *)c);
    assert(a == c);
    return 0;
}
