/* expect: malloc(): invalid size (unsorted) */
#include "checks.h"

int main(void)
{
    char *a = malloc(0x500);
    malloc(24);
    free(a);
    SIZE(a) = 0x11;
    malloc(24);
    return 0;
}
