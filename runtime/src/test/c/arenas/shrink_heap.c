/* shrink_heap drops the pages it gives back: glibc (Linux overcommit 0/1) madvises the tail
 * MADV_DONTNEED, so a block grown back over it reads zeros there, not what was written before.
 * ArenaHeapsMatchGlibcTest makes the same calls on the simulator. */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *body(void *arg)
{
    char *keep = malloc(24);
    char *p = malloc(600000);
    memset(p, 0xab, 600000);
    free(p); /* merges into top: heap_trim shrinks the heap (madvise MADV_DONTNEED the tail) */
    char *q = malloc(600000);
    printf("same address: %d, byte at +300000: 0x%x, byte at +100: 0x%x\n", p == q, (unsigned char)q[300000], (unsigned char)q[100]);
    return keep;
}
int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    pthread_attr_t a; pthread_attr_init(&a); pthread_attr_setstacksize(&a, 8 << 20);
    pthread_t t; pthread_create(&t, &a, body, 0); pthread_join(t, 0);
    return 0;
}
