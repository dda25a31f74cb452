/* expect: malloc(): mismatching next->prev_size (unsorted) */
#include "checks.h"

int main(void)
{
    char *a = malloc(0x500), *g = malloc(24);
    free(a);
    PREV(g) = 0x500;
    malloc(24);
    return 0;
}
