/* Library calls gcc -O0 makes or expands in place decide the .got.plt's size, and so where the globals
 * are: memcpy of 24 bytes between pointers is a call, memmove of 8 bytes and abs are not; printf of a
 * line without conversions is puts, of one character putchar, fputs of a literal fwrite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long counter = 7;
char table[40];

int main(void) {
    char *a = malloc(32);
    char *b = malloc(32);
    strcpy(a, "0123456789abcdefghijklm");
    memcpy(b, a, 24);
    memmove(b + 1, a + 8, 8);
    int n = abs((int) counter - 10);
    printf("%.24s %d\n", b, n);
    printf("counter %p table %p\n", (void *) &counter, (void *) table);
    printf("done\n");
    printf("%c", '!');
    fputs("ok\n", stdout);
    free(a);
    free(b);
    return 0;
}
