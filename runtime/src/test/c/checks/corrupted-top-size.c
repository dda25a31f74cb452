/* expect: malloc(): corrupted top size */
#include "checks.h"

int main(void)
{
    char *p = malloc(24);
    WORD(p, 3) = (W)-1;       /* the top chunk's size word */
    malloc(24);
    return 0;
}
