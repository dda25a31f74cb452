/* expect: malloc(): unaligned fastbin chunk detected 3 */
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
    for (int i = 0; i < 7; i++)
        malloc(24);           /* empty the tcache bin */
    malloc(24);               /* pops f2, then stashes the bad next */
    return 0;
}
