/* An int given where printf reads a long (%ld, %lx, %zu, %p: undefined behaviour, and a common
   slip): printf reads the whole 64-bit register, whose upper half gcc -O0's 32-bit moves leave zero,
   so -1 prints 4294967295. Past the sixth integer register the arguments go on the stack, where a
   constant is pushed sign-extended and a computed value zero-extended. */
#include <stdio.h>

int main(void) {
    int a = -1;
    short s = -2;
    char c = -3;
    unsigned u = 0xfffffff0u;
    char buf[128];
    printf("%ld %lx %ld %ld %lu\n", -1, a, s, c, u);
    printf("%ld %ld %ld %ld %ld %ld %ld %ld\n", 1L, 2L, 3L, 4L, 5L, -6, a, a - 1);
    printf("%zu %lld %p %d %x\n", a * 2, c, a, a, a);
    printf("%f %ld %f %ld\n", 1.5, a, 2.5, -7);
    fprintf(stdout, "%ld %ld %ld %ld %ld\n", a, 2L, 3L, 4L, -5);
    snprintf(buf, sizeof buf, "%ld %ld %ld %ld", a, 2L, -3, s);
    puts(buf);
    return 0;
}
