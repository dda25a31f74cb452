/* expect: corrupted double-linked list */
#include "checks.h"

int main(void)
{
    char *a = malloc(0x500), *b = malloc(0x500);
    malloc(24);
    free(b);
    WORD(b, 0) = CHUNK(b);    /* fd -> itself: fd->bk is not b */
    free(a);
    return 0;
}
