/* expect: realloc(): invalid old size */
#include "checks.h"

int main(void)
{
    char *p = malloc(24);
    SIZE(p) = 0x9;
    realloc(p, 100);
    return 0;
}
