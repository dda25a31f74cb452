/* fputs and fprintf stay calls when their values are used or fprintf has an argument its format does
 * not take: .got.plt gets fputs and fprintf, not fwrite. */
#include <stdio.h>

int total = 1;
long after[2];

int main(void) {
    int j = fputs("ab\n", stdout);
    int k = fprintf(stdout, "hi\n");
    fprintf(stdout, "yo\n", 1);
    total += j + k;
    fprintf(stdout, "%d %p %p\n", total, (void *) &total, (void *) after);
    return 0;
}
