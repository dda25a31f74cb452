/* memcheck twin: a block freed twice (MemcheckValgrindTest's DoubleFree). */
#include <stdlib.h>

int main(void) {
    char *p = malloc(16);
    free(p);
    free(p);
    return 0;
}
