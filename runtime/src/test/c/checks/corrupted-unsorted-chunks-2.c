/* expect: malloc(): corrupted unsorted chunks 2 */
#include "checks.h"

int main(void)
{
    char *x = malloc(0x528), *g = malloc(24);
    free(x);
    W *unsorted = (W *)WORD(x, 0);
    malloc(0x600);
    unsorted[2] = CHUNK(g);
    malloc(0x100);            /* binmap scan splits x */
    return 0;
}
