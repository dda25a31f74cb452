/* expect: free(): invalid next size (fast) */
#include "checks.h"

int main(void)
{
    alloc7();
    char *p = malloc(24), *q = malloc(24);
    SIZE(q) = 0x8;
    free7();
    free(p);
    return 0;
}
