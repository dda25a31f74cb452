/* expect: realloc(): invalid next size */
#include "checks.h"

int main(void)
{
    char *p = malloc(24), *q = malloc(24);
    SIZE(q) = 0x1;
    realloc(p, 100);
    return 0;
}
