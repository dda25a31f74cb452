/* expect: free(): unaligned chunk detected in tcache 2 */
#include "checks.h"

int main(void)
{
    char *a = malloc(24), *b = malloc(24);
    free(a);
    WORD(b, 1) = WORD(a, 1);
    WORD(a, 0) = MANGLE(a, a + 8);
    free(b);
    return 0;
}
