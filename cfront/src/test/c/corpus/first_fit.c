/* A freed chunk is handed out again by the next request that fits (written for mallocscope). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>

int main(void) {
    fprintf(stderr, "glibc reuses the first free chunk that fits.\n");
    char *a = malloc(0x512);
    char *b = malloc(0x256);
    char *c;
    printf("a = %p\nb = %p\n", a, b);
    strcpy(a, "this is A!");
    printf("a holds '%s'\n", a);
    free(a);
    c = malloc(0x500);
    printf("c = %p\n", c);
    strcpy(c, "this is C!");
    printf("a now holds '%s'\n", a);
    assert(a == c);
    return 0;
}
