/* expect: double free or corruption (out) */
#include "checks.h"

int main(void)
{
    char *p = malloc(0x500);
    SIZE(p) = 0x100001;       /* reaches past the end of top */
    free(p);
    return 0;
}
