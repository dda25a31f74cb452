/* expect: malloc_consolidate(): invalid chunk size */
#include "checks.h"

int main(void)
{
    alloc7();
    char *f = malloc(24);
    malloc(24);
    free7();
    free(f);
    SIZE(f) = 0x31;
    malloc(0x500);
    return 0;
}
