/* expect: malloc(): unsorted double linked list corrupted */
#include "checks.h"

int main(void)
{
    char *a = malloc(0x500);
    malloc(24);
    free(a);
    WORD(a, 0) = CHUNK(a);
    malloc(24);
    return 0;
}
