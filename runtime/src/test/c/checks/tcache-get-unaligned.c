/* expect: malloc(): unaligned tcache chunk detected */
#include "checks.h"

int main(void)
{
    char *a = malloc(24), *b = malloc(24);
    free(a);
    free(b);
    WORD(b, 0) = MANGLE(b, a + 8);
    malloc(24);
    malloc(24);
    return 0;
}
