/* memcheck twin: malloc(strlen(s)) leaves no room for the NUL (MemcheckValgrindTest's OffByOne). */
#include <stdlib.h>
#include <string.h>

static char s[] = "twenty-four characters!!";

int main(void) {
    char *copy = malloc(strlen(s));
    strcpy(copy, s);
    free(copy);
    return 0;
}
