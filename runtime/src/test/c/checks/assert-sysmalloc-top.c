/* expect: Fatal glibc error: malloc assertion failure in sysmalloc: (old_top == initial_top (av) && old_size == 0) || ((unsigned long) (old_size) >= MINSIZE && prev_inuse (old_top) && ((unsigned long) old_end & (pagesize - 1)) == 0) */
#include "checks.h"

int main(void)
{
    char *p = malloc(24);
    WORD(p, 3) = 0x1001;      /* House of Orange: top shrunk, end not page-aligned */
    malloc(0x2000);
    return 0;
}
