/* malloc's fastbin check compares fastbin_index(chunksize(victim)), which casts the size to unsigned int:
   a size field with its upper 32 bits set passes for the fastbin its low bits name. Prints what malloc
   returned for each case (the chunk itself, or another). Compiled by gcc in FastbinIndexCastTest. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void take(uint64_t size_field)
{
    void *t[7];
    for (int i = 0; i < 7; i++)
        t[i] = malloc(24);
    char *x = malloc(24);
    void *guard = malloc(24);
    for (int i = 0; i < 7; i++)
        free(t[i]);
    free(x); /* the tcache's 0x20 bin is full: x goes to fastbins[0x20] */
    ((uint64_t *) x)[-1] = size_field;
    for (int i = 0; i < 7; i++)
        t[i] = malloc(24); /* empty the tcache */
    char *y = malloc(24);
    printf("size field %#lx: malloc(24) %s\n", (unsigned long) size_field, y == x ? "took the chunk" : "took another");
    (void) guard;
}

int main(void)
{
    setbuf(stdout, NULL);
    take(0x100000021);
    take(0xffffffff00000021);
    return 0;
}
