/* Variadic functions defined by the program: va_start/va_arg/va_end/va_copy over integers, pointers
 * and doubles, more arguments than registers, vprintf-family wrappers, and the frame of a variadic
 * function (its register save area moves its locals down). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long sum(int n, ...) {
    va_list ap;
    long s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        s += va_arg(ap, int);
    }
    va_end(ap);
    return s;
}

static double mix(const char *kinds, ...) {
    va_list ap, again;
    double total = 0;
    va_start(ap, kinds);
    va_copy(again, ap);
    for (const char *k = kinds; *k; k++) {
        if (*k == 'd') {
            total += va_arg(ap, double);
        } else if (*k == 'l') {
            total += (double) va_arg(ap, long);
        } else {
            const char *s = va_arg(ap, const char *);
            total += (double) strlen(s);
        }
    }
    va_end(ap);
    printf("first again: %s\n", kinds[0] == 'd' ? "double" : "other");
    if (kinds[0] == 'l') {
        printf("first long again: %ld\n", va_arg(again, long));
    }
    va_end(again);
    return total;
}

static void logf_(FILE *to, const char *fmt, ...) {
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(to, "[%d] %s\n", n, buf);
    va_start(ap, fmt);
    vfprintf(to, fmt, ap);
    va_end(ap);
    fputc('\n', to);
}

static void where(int first, ...) {
    int local = first;
    va_list ap;
    va_start(ap, first);
    void *p = va_arg(ap, void *);
    va_end(ap);
    printf("local %p ap %p arg %p\n", (void *) &local, (void *) ap, p);
}

int main(void) {
    setbuf(stdout, NULL);
    long s0 = sum(0);
    long s3 = sum(3, 1, 2, 3);
    long s10 = sum(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    printf("sum: %ld %ld %ld\n", s0, s3, s10);
    printf("mix: %.3f\n", mix("dlsd", 1.5, 40L, "four", 0.25));
    printf("mix: %.3f\n", mix("ddddddddddl", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 7L));
    printf("mix: %.3f\n", mix("llllllll", 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L));
    logf_(stdout, "%s=%d, %-6.2f|%5lx|%c", "x", -42, 3.14159, 0xbeefUL, 'q');
    logf_(stderr, "%*d|%.*s|%p", 6, 7, 2, "abcdef", (void *) 0x1234);
    int x = 5;
    where(1, (void *) &x);
    void *heap = malloc(0x28);
    where(2, heap);
    free(heap);
    return 0;
}
