/* expect: free(): invalid pointer */
#include "checks.h"

int main(void)
{
    char *p = malloc(24);
    free(p + 8);
    return 0;
}
