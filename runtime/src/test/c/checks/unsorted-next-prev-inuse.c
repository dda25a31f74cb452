/* expect: malloc(): invalid next->prev_inuse (unsorted) */
#include "checks.h"

int main(void)
{
    char *a = malloc(0x500), *g = malloc(24);
    free(a);
    SIZE(g) |= 1;
    malloc(24);
    return 0;
}
