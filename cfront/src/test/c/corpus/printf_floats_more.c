/* printf's floating conversions gcc -O0 and glibc print: the sign of a NaN, '#' keeping the point, %a with
   and without a precision (rounded half to even, a carry into the leading digit, subnormals, zero). */
#include <stdio.h>

int main(void) {
    double zero = 0.0, big = 1e300;
    double nan = zero / zero;
    printf("[%f] [%e] [%g] [%F]\n", nan, -nan, nan, nan);
    printf("[%#.0f] [%#.0e] [%.0f] [%#5.0f]\n", 3.0, 3.0, 2.5, 7.0);
    printf("[%a] [%a] [%a] [%a]\n", 1.0, -3.75, 1.0 / 3, 0.1);
    printf("[%.2a] [%.0a] [%.0a] [%.1a] [%.3a]\n", 1.0 / 3, 1.0, 1.9375, 1.96875, 255.5);
    printf("[%a] [%.0a] [%#a] [%.2a] [%A]\n", zero, zero, 1.0, 4.9406564584124654e-324, -0.5);
    printf("[%a] [%a] [%12a] [%-12a|] [%+a]\n", big * big, -big * big, 2.0, 2.0, 8.0);
    return 0;
}
