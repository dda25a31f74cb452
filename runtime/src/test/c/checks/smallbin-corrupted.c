/* expect: malloc(): smallbin double linked list corrupted */
#include "checks.h"

int main(void)
{
    void *t[7];
    for (int i = 0; i < 7; i++)
        t[i] = malloc(0x100);
    char *a = malloc(0x100);
    malloc(24);
    for (int i = 0; i < 7; i++)
        free(t[i]);
    free(a);
    malloc(0x200);            /* sorts a into small bin 0x110 */
    WORD(a, 1) = CHUNK(a) + 0x40;
    calloc(1, 0x100);
    return 0;
}
