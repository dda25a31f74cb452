/* Globals with an aligned attribute: gcc keeps the alignment asked for (at least the type's), without the
   16- and 32-byte bumps it gives large arrays and structs of its own accord (how2heap's targets). */
#include <stdint.h>
#include <stdio.h>

char c1;
uint64_t target[4] __attribute__((aligned(0x10)));
char c2 = 1;
uint64_t inited[6] __attribute__((aligned(16))) = {1, 2};
char c3;
struct big { long a[5]; } s __attribute__((aligned(8)));
char c4;
uint64_t plain[4];
char c5;
char bytes[40] __attribute__((aligned(64)));

int main(void) {
    printf("%p %p %p %p %p\n", (void *) target, (void *) inited, (void *) &s, (void *) plain, (void *) bytes);
    printf("%p %p %p %p %p\n", (void *) &c1, (void *) &c2, (void *) &c3, (void *) &c4, (void *) &c5);
    return 0;
}
