/* expect: corrupted size vs. prev_size */
#include "checks.h"

int main(void)
{
    char *a = malloc(0x500), *b = malloc(0x500), *g = malloc(24);
    free(b);
    PREV(g) = 0x400;          /* b's footer disagrees with its size */
    free(a);                  /* merges forward with b */
    return 0;
}
