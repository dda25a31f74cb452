/* Integer promotions, the usual arithmetic conversions, wrap-around, shifts, division and casts. */
#include <stdio.h>
#include <stdint.h>
#include <limits.h>

int main(void) {
    unsigned char uc = 200;
    signed char sc = -56;
    short s = -1;
    unsigned short us = 65535;
    int i = -7;
    unsigned u = 3;
    long l = -1;
    unsigned long ul = 1;
    printf("%d %d %d\n", uc + sc, uc * 2, (unsigned char)(uc * 2));
    printf("%d %u %d\n", s == -1, us + 1, (short)(us + 1));
    printf("%d %u %ld\n", i < u, i + u, l + (long)u);
    printf("%d %d\n", -1 < 0u, -1L < 1UL);
    printf("%lu %ld\n", (unsigned long)i, (long)(unsigned)i);
    printf("%d %d %d %d\n", i / 2, i % 2, -i / 2, i >> 1);
    printf("%u %u\n", u << 31, (u << 31) >> 30);
    printf("%d %d\n", INT_MAX + 1 < 0, (int)(unsigned)INT_MIN);
    printf("%lx %lx\n", ul << 63, (ul << 63) >> 63);
    uint64_t big = 0xfffffffffffffff0UL;
    size_t neg = -0x100;
    printf("%#lx %#lx %lu\n", big + 0x20, neg, neg / 16);
    int8_t t8 = (int8_t)0x80;
    uint16_t t16 = (uint16_t)-1;
    int32_t t32 = (int32_t)0xdeadbeef;
    printf("%d %u %d %x\n", t8, t16, t32, t32);
    char c = '\xff';
    printf("%d %d %c%c\n", c, (unsigned char)c, 'h', 'i');
    long long ll = LLONG_MIN;
    printf("%lld %llu %lld\n", ll, (unsigned long long)ll, ll + 1);
    printf("%d %d %d\n", 7 & 3, 7 | 8, 7 ^ 2);
    printf("%d %d %d\n", !0, !5, ~0);
    unsigned x = 10;
    x -= 20;
    x *= 3;
    printf("%u %d\n", x, (int)x);
    int k = 5;
    k <<= 2;
    k |= 1;
    k %= 7;
    int k1 = k++;
    int k2 = ++k;
    printf("%d %d %d\n", k, k1, k2);
    _Bool b = 256;
    printf("%d %zu %zu %zu\n", b, sizeof(long double), sizeof(short), sizeof(void *));
    double d = 2.5;
    float f = 1.25f;
    printf("%d %d %ld %f %.2f %g %e\n", (int)d, (int)-d, (long)(d * 4), d / 2, f * 3, d * 1000000, d);
    return 0;
}
