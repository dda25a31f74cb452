/* expect: realloc(): invalid pointer */
#include "checks.h"

int main(void)
{
    char *p = malloc(24);
    realloc(p + 8, 100);
    return 0;
}
