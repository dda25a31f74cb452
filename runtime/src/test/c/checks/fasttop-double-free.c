/* expect: double free or corruption (fasttop) */
#include "checks.h"

int main(void)
{
    alloc7();
    char *p = malloc(24);
    malloc(24);
    free7();
    free(p);
    free(p);
    return 0;
}
