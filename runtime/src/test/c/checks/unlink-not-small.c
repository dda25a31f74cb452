/* expect: corrupted double-linked list (not small) */
#include "checks.h"

int main(void)
{
    char *a = malloc(0x500), *b = malloc(0x500);
    malloc(24);
    free(b);
    malloc(0x600);            /* sorts b into its large bin */
    WORD(b, 2) = CHUNK(b) + 0x100;
    free(a);
    return 0;
}
