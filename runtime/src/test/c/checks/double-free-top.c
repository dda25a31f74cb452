/* expect: double free or corruption (top) */
#include "checks.h"

int main(void)
{
    char *p = malloc(0x500);
    free(p + 0x510);          /* the top chunk's user pointer */
    return 0;
}
