/* printf takes an integer conversion's value from the next integer register and a floating one's
   from the next vector register, whatever order the arguments were written in: mixing them up (a
   slip gcc -Wformat warns about) still prints each class in order, as natively. Past eight doubles
   (or five integers after the format) the rest come from the stack, in argument order. */
#include <stdio.h>

int main(void) {
    int n = 7;
    double x = 0.25;
    printf("%d %f\n", 1.5, 2);
    printf("%f %d %f %d\n", 1, 2.5, 3, 4.5);
    printf("%d %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f\n", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, n);
    printf("%ld %ld %ld %ld %ld %f %ld %f\n", 1L, 2L, 3L, 4L, 5L, x, 6L, x * 2);
    printf("%s=%d %s=%.2f\n", "n", x, n, "x");
    return 0;
}
