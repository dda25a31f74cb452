/* expect: munmap_chunk(): invalid pointer */
#include "checks.h"

int main(void)
{
    char *p = malloc(24);
    SIZE(p) = 0x22;
    free(p);
    return 0;
}
