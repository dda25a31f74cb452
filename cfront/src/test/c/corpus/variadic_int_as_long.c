/* va_arg(ap, long) of an int argument, and vprintf's %ld of one, read the 64 bits gcc -O0 passed:
   zero-extended from a register or from a computed value pushed on the stack, sign-extended from a
   constant pushed on the stack (see printf_int_as_long.c). */
#include <stdio.h>
#include <stdarg.h>

static long nth(int n, ...) {
    va_list ap;
    va_start(ap, n);
    long v = 0;
    for (int i = 0; i <= n; i++) {
        v = va_arg(ap, long);
    }
    va_end(ap);
    return v;
}

static void say(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vprintf(format, ap);
    va_end(ap);
}

int main(void) {
    int a = -1;
    short s = -5;
    printf("%ld %ld %ld\n", nth(0, a), nth(0, -2), nth(1, 1L, s));
    printf("%ld %ld %ld\n", nth(5, 1L, 2L, 3L, 4L, 5L, -6), nth(5, 1L, 2L, 3L, 4L, 5L, a), nth(6, 1L, 2L, 3L, 4L, 5L, 6L, a - 1));
    say("%ld %lx %ld %ld %ld %ld %ld\n", a, -3, 3L, 4L, 5L, -6, a);
    return 0;
}
