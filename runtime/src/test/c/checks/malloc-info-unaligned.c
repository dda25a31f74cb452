/* expect: __malloc_info(): unaligned fastbin chunk detected */
#include "checks.h"
#include <stdio.h>

int main(void)
{
    FILE *devnull = fopen("/dev/null", "w"); /* before the scenario: fopen allocates */
    setvbuf(devnull, NULL, _IONBF, 0);       /* no buffer malloc later */
    alloc7();
    char *f1 = malloc(24), *f2 = malloc(24);
    malloc(24);
    free7();
    free(f1);
    free(f2);
    WORD(f2, 0) = MANGLE(f2, f1 + 8);
    malloc_info(0, devnull);
    return 0;
}
