/* long double: sizeof, alignment and layout in a struct, printing with %L, and the x87 80-bit bytes in memory. */
#include <stdio.h>
struct w { char c; long double d; };
int main(void) {
    long double x = 1.5L;
    long double y = x * 3 + 0.25;
    double back = (double) y;
    printf("%zu %zu %zu %zu\n", sizeof x, _Alignof(long double), sizeof(struct w), __builtin_offsetof(struct w, d));
    printf("%Lf %.3Lf %Lg %f %Le\n", x, y, y / 7, back, (long double) 1e300 * 10);
    unsigned char *b = (unsigned char *) &y;
    for (int i = 0; i < 16; i++) printf("%02x", i < 10 ? b[i] : 0);
    printf("\n%d %d\n", x < y, (int) y);
    return 0;
}
