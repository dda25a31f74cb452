/* expect: malloc(): largebin double linked list corrupted (bk) */
#include "checks.h"

int main(void)
{
    char *x = malloc(0x500);
    malloc(24);
    char *y = malloc(0x520);
    malloc(24);
    free(x);
    malloc(0x600);
    free(y);
    WORD(x, 1) = CHUNK(x) + 0x100; /* bk */
    malloc(0x600);
    return 0;
}
