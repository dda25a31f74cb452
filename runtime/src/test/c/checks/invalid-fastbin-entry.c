/* expect: invalid fastbin entry (free) */
#include "checks.h"

int main(void)
{
    alloc7();
    char *f = malloc(24), *p = malloc(0x38);
    malloc(24);
    free7();
    free(f);
    SIZE(f) = 0x31;          /* the fastbin head now claims another size */
    realloc(p, 24);          /* the 0x20 remainder is freed internally, with the lock held */
    return 0;
}
