/* expect: break adjusted to free malloc space */
#include "checks.h"

int main(void)
{
    malloc(24);
    sbrk(-4096);              /* the program gives back the top's last page */
    malloc(0x1f000);          /* still fits in top */
    malloc(0x1f000);          /* sysmalloc: sbrk returns below the old top end */
    return 0;
}
