/* memcheck twin: a string copied into a block already freed (MemcheckValgrindTest's WriteAfterFree). */
#include <stdlib.h>
#include <string.h>

int main(void) {
    char *p = malloc(16);
    free(p);
    strcpy(p, "hello");
    return 0;
}
