/* expect: malloc(): memory corruption (fast) */
#include "checks.h"

int main(void)
{
    alloc7();
    char *f = malloc(24);
    malloc(24);
    free7();
    free(f);
    SIZE(f) = 0x31;
    calloc(1, 24);
    return 0;
}
