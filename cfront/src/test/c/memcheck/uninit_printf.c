/* memcheck under the C front end against Valgrind: undefined integers handed to printf and malloc.
   Valgrind reports printf's inside glibc's vfprintf (the sign's test, one table lookup and one jump per
   digit in _itoa_word, the padding's test): several errors per conversion, counted per digit; malloc
   tests its size. A defined argument beside an undefined one is silent. With stdout unbuffered, glibc's
   printf goes through buffered_vfprintf, one more frame. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int *fresh = malloc(4 * sizeof(int)); /* a fresh block: its undefined ints are 0 here and natively */
    printf("%d\n", fresh[0]);
    printf("%d %u\n", 5, fresh[1]);
    printf("%x\n", fresh[2]);
    long *sizes = malloc(sizeof(long));
    char *buffer = malloc(sizes[0] + 8);
    buffer[0] = 'b';
    printf("%c\n", buffer[0]);
    setbuf(stdout, NULL);
    printf("%i\n", fresh[3]);
    free(buffer);
    free(sizes);
    free(fresh);
    return 0;
}
