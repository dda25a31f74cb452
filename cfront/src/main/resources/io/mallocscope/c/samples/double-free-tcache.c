/*
 * double-free-tcache, in C: the twin of the Java sample DoubleFreeTcache (mallocscope run --c double-free-tcache).
 * Freeing a block twice: glibc's tcache key check aborts with "free(): double free detected in tcache 2".
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
    setbuf(stdout, NULL);
    char *heap = sbrk(0);
    char *a = malloc(24);
    printf("a = break+0x%lx\n", (unsigned long)(a - heap));
    free(a);
    printf("free(a) once: fine\n");
    free(a);
    printf("free(a) twice: not reached\n");
    return 0;
}
