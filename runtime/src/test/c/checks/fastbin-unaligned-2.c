/* expect: malloc(): unaligned fastbin chunk detected 2 */
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
    calloc(1, 24);            /* calloc skips the tcache: pops f2 */
    calloc(1, 24);
    return 0;
}
