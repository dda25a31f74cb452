/* gcc folds printf into puts or putchar only when nothing uses its value and the arguments are exactly
 * what the fold needs: here every printf stays a printf, so .got.plt has no puts or putchar slot and the
 * globals sit where that makes them. */
#include <stdio.h>

long seen = 3;
int flags[4];

int main(void) {
    int n = printf("hi\n");             /* its count is used */
    printf("extra\n", 1);               /* an argument the format does not take */
    if (printf("x"))                    /* the value decides the branch */
        n += 1;
    printf("%c", 65L);                  /* %c of a long, not an int */
    printf("%s\n", "ab", 3);            /* one argument too many for puts */
    printf("%c", 'B', 2);
    n += printf("");                    /* printed nothing, but called */
    printf("%d %p %p\n", n, (void *) &seen, (void *) flags);
    return 0;
}
