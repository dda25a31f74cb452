/* printf's conversions, flags, widths and precisions as glibc prints them. */
#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>

int main(void) {
    void *p = (void *)0x5555555592a0;
    printf("[%p] [%-14p] [%20p] [%p]\n", p, p, p, (void *)0);
    printf("[%lx] [%#lx] [%016lx] [%#018lx] [%lX]\n", 0xdeadbeefUL, 0xdeadbeefUL, 0x1234UL, 0x1234UL, 0xabcUL);
    printf("[%d] [%5d] [%-5d] [%05d] [%+d] [% d] [%.3d]\n", 42, 42, 42, 42, 42, 42, 7);
    printf("[%u] [%o] [%#o] [%x] [%#x] [%X]\n", 4000000000u, 8, 8, 255, 255, 255);
    printf("[%s] [%10s] [%-10s] [%.3s] [%*s] [%-*s]\n", "heap", "heap", "heap", "heapster", 6, "ab", 6, "ab");
    printf("[%c] [%3c] [%-3c] [%%]\n", 'x', 'y', 'z');
    printf("[%ld] [%lld] [%llx] [%zu] [%zd] [%hhd] [%hd] [%hu]\n", -5L, -6LL, 0x7fLL, (size_t)10, (ssize_t)-10, 300, 70000, 70000);
    printf("[%" PRIx64 "] [%" PRIu64 "] [%" PRId32 "] [%" PRIxPTR "]\n", (uint64_t)0xffff, (uint64_t)123, (int32_t)-9, (uintptr_t)p);
    printf("[%f] [%.1f] [%8.3f] [%-8.2f] [%e] [%.2e] [%g] [%g] [%g]\n", 3.14159, 2.25, 1.5, 2.0, 12345.678, 0.000123, 100000.0, 1e-5, 0.5);
    int n = printf("count me\n");
    printf("%d\n", n);
    char buf[32];
    int m = snprintf(buf, sizeof buf, "%s-%d-%p", "x", 5, (void *)0x10);
    printf("%s %d\n", buf, m);
    sprintf(buf, "%08x", 0xbeef);
    puts(buf);
    fprintf(stderr, "%s %#lx\n", "to stderr", 0x4242UL);
    fputs("fputs line\n", stdout);
    putchar('!');
    putchar('\n');
    fwrite("fwrite\n", 1, 7, stdout);
    return 0;
}
