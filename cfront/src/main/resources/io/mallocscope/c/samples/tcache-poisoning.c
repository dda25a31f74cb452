/*
 * tcache-poisoning, in C: the twin of the Java sample TcachePoisoning (mallocscope run --c tcache-poisoning).
 * Overwriting a freed chunk's safe-linked tcache pointer makes malloc return a stack address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <assert.h>

int main(void) {
    setbuf(stdout, NULL);
    printf("Tcache poisoning: make malloc return a chosen address.\n");
    size_t stack_var[0x10];
    size_t *target = NULL;
    for (int i = 0; i < 0x10; i++) {
        if (((long)&stack_var[i] & 0xf) == 0) {
            target = &stack_var[i];
            break;
        }
    }
    assert(target != NULL);
    printf("Target: %p.\n", (void *)target);

    intptr_t *a = malloc(128);
    intptr_t *b = malloc(128);
    printf("malloc(128): %p\n", (void *)a);
    printf("malloc(128): %p\n", (void *)b);
    free(a);
    free(b);
    printf("Freed both: the tcache reads [ %p -> %p ].\n", (void *)b, (void *)a);

    b[0] = (intptr_t)((long)target ^ (long)b >> 12);
    printf("Overwrote b's link: the tcache reads [ %p -> %p ].\n", (void *)b, (void *)target);

    printf("malloc #1: %p\n", malloc(128));
    intptr_t *c = malloc(128);
    printf("malloc #2: %p\n", (void *)c);
    assert((long)target == (long)c);
    printf("malloc returned the target.\n");
    return 0;
}
