/* The calls gcc -O0 folds when their values are not used: printf("%s", literal) prints the literal
 * (puts for a line, putchar for one character), a cast to void or any cast, a comma's left side, a for
 * loop's steps and fprintf's "%s" or "%c" are all folded; the .got.plt gets puts, putchar, fwrite and
 * fputc slots, and printf's for the line with the addresses. */
#include <stdio.h>

long seen = 5;
char name[24];

int main(void) {
    printf("%s", "line\n");             /* puts("line") */
    printf("%s", "!");                  /* putchar('!') */
    printf("%s", "");                   /* nothing at all */
    (void) printf("void\n");
    (long) printf("cast\n");
    seen = 6, printf("comma\n");
    for (int i = 0; i < 2; printf("step\n"))
        i++;
    fprintf(stdout, "%s", "fw\n");      /* fputs, then fwrite */
    fprintf(stdout, "%s", "c");         /* fputs, then fputc */
    fprintf(stdout, "%c", 'd');
    fprintf(stdout, "");
    printf("\n%ld %p %p\n", seen, (void *) &seen, (void *) name);
    return 0;
}
