/* expect: int_mallinfo(): unaligned fastbin chunk detected */
#include "checks.h"

int main(void)
{
    alloc7();
    char *f1 = malloc(24), *f2 = malloc(24);
    malloc(24);
    free7();
    free(f1);
    free(f2);
    WORD(f2, 0) = MANGLE(f2, f1 + 8);
    mallinfo2();
    return 0;
}
