/* expect: Fatal glibc error: malloc assertion failure in _int_malloc: chunk_main_arena (bck->bk) */
#include "checks.h"

int main(void)
{
    char *x = malloc(0x500);
    malloc(24);
    char *y = malloc(0x500);
    malloc(24);
    free(x);
    malloc(0x600);            /* x into large bin 68 */
    free(y);
    SIZE(x) |= 4;             /* NON_MAIN_ARENA on a main-arena chunk */
    malloc(0x600);
    return 0;
}
