/* expect: malloc(): corrupted unsorted chunks */
#include "checks.h"

int main(void)
{
    char *x = malloc(0x528), *g = malloc(24);
    free(x);
    W *unsorted = (W *)WORD(x, 0); /* main_arena's unsorted pseudo-chunk */
    malloc(0x600);            /* x (0x530) into large bin 68 */
    unsorted[2] = CHUNK(g);   /* unsorted->fd: a chunk whose bk is not the bin */
    malloc(0x4f8);            /* best fit splits x */
    return 0;
}
