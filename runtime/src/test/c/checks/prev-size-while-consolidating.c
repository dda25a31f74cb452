/* expect: corrupted size vs. prev_size while consolidating */
#include "checks.h"

int main(void)
{
    char *a = malloc(0x500), *b = malloc(0x500);
    malloc(24);
    free(a);
    PREV(b) = 0x400;
    free(b);
    return 0;
}
