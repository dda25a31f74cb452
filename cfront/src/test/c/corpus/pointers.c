/* Pointer arithmetic scaled by the pointed type, casts between pointers and integers, arrays of arrays. */
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>

struct rec { char tag; long value; short small[3]; };

int grid[3][4];

int main(void) {
    long arr[8];
    long *p = arr;
    char *c = (char *)arr;
    printf("%ld %ld %ld\n", (long)((p + 3) - p), (long)((char *)(p + 3) - c), (long)(&arr[7] - &arr[2]));
    for (int i = 0; i < 8; i++) {
        arr[i] = i * i;
    }
    printf("%ld %ld %ld\n", *(p + 5), p[2], 3[arr]);
    uintptr_t addr = (uintptr_t)p;
    long *q = (long *)(addr + 16);
    printf("%ld %d\n", *q, q == &arr[2]);
    struct rec r[2];
    printf("%zu %zu %zu %zu\n", sizeof(struct rec), offsetof(struct rec, value), offsetof(struct rec, small),
           (size_t)((char *)&r[1] - (char *)&r[0]));
    struct rec *rp = &r[0];
    rp->value = 42;
    (rp + 1)->small[2] = -3;
    printf("%ld %d %d\n", r[0].value, r[1].small[2], (int)sizeof r[0].small);
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
            grid[i][j] = i * 10 + j;
        }
    }
    int (*row)[4] = grid + 1;
    int *flat = &grid[0][0];
    printf("%d %d %d %zu\n", (*row)[2], flat[11], *(*(grid + 2) + 3), sizeof grid / sizeof grid[0]);
    void *v = arr;
    v = (char *)v + 8;
    printf("%ld\n", *(long *)v);
    long **pp = &p;
    **pp = 99;
    printf("%ld %d\n", arr[0], *pp == arr);
    uint64_t *chunk = (uint64_t *)((char *)arr + 0x10);
    chunk[-1] = 0x21;
    printf("%lx %lx\n", (unsigned long)arr[1], (unsigned long)(((uintptr_t)chunk >> 4) << 4 == (uintptr_t)chunk));
    printf("%d %d\n", (int)(p < p + 1), (int)((long *)0 + 2 == (long *)16));
    return 0;
}
