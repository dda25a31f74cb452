/* expect: free(): corrupted unsorted chunks */
#include "checks.h"

int main(void)
{
    char *u = malloc(0x500);
    malloc(24);
    char *a = malloc(0x500);
    malloc(24);
    free(u);
    WORD(u, 1) = CHUNK(u) + 0x100; /* u->bk */
    free(a);
    return 0;
}
