/* expect: malloc(): largebin double linked list corrupted (nextsize) */
#include "checks.h"

int main(void)
{
    char *x = malloc(0x500);
    malloc(24);
    char *y = malloc(0x520);
    malloc(24);
    free(x);
    malloc(0x600);            /* x (0x510) into large bin 68 */
    free(y);
    WORD(x, 3) = CHUNK(x) + 0x100; /* bk_nextsize */
    malloc(0x600);            /* sorting y (0x530) checks x's ring */
    return 0;
}
