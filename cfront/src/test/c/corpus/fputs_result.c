/* glibc's fputs returns 1 when it wrote the string (not its length), and fprintf the bytes written. */
#include <stdio.h>

int main(void) {
    int j = fputs("abc\n", stdout);
    int k = fputs("", stdout);
    int e = fputs("to stderr\n", stderr);
    int n = fprintf(stdout, "hi\n");
    printf("%d %d %d %d\n", j, k, e, n);
    return 0;
}
