/* memcheck twin: a block allocated and never freed (MemcheckValgrindTest's Leak). */
#include <stdlib.h>

int main(void) {
    long *p = malloc(16);
    p[0] = 1;
    p = NULL;
    return 0;
}
