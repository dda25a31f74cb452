/* expect: double free or corruption (!prev) */
#include "checks.h"

int main(void)
{
    char *p = malloc(0x500);
    malloc(24);
    free(p);
    free(p);
    return 0;
}
