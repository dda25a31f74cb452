/* expect: free(): invalid size */
#include "checks.h"

int main(void)
{
    char *p = malloc(24);
    SIZE(p) = 0x11;
    free(p);
    return 0;
}
