/* expect: corrupted size vs. prev_size in fastbins */
#include "checks.h"

int main(void)
{
    alloc7();
    char *f = malloc(24);
    malloc(24);
    free7();
    free(f);
    SIZE(f) = 0x20;           /* claims a free predecessor */
    PREV(f) = 0x40;
    malloc(0x500);
    return 0;
}
