/* expect: free(): invalid next size (normal) */
#include "checks.h"

int main(void)
{
    char *p = malloc(0x500), *q = malloc(24);
    SIZE(q) = 0x1;
    free(p);
    return 0;
}
