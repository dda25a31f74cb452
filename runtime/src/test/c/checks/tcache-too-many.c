/* expect: free(): too many chunks detected in tcache */
#include "checks.h"

int main(void)
{
    char *a = malloc(24), *b = malloc(24);
    free(a);
    WORD(b, 1) = WORD(a, 1);       /* b carries the tcache key */
    WORD(a, 0) = MANGLE(a, a);     /* a's next points to itself */
    free(b);
    return 0;
}
