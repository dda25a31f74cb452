#include "common.h"
#include "threads.h"
static char *heap;
static char *small, *big;
static void *worker(void *arg)
{
    small = malloc(24);
    big = malloc(0x500);
    malloc(24); /* keeps big away from top */
    uintptr_t h = HEAP_OF(small);
    printf("thread: small = its heap+0x%lx, big = its heap+0x%lx (size word 0x%lx)\n",
           (uintptr_t)small - h, (uintptr_t)big - h, L(big - 8));
    return NULL;
}
int main(void)
{
    setbuf(stdout, NULL);
    heap = sbrk(0);
    free(malloc(100)); /* main's tcache exists */
    pthread_join(spawn(worker, NULL), NULL);
    uintptr_t h = HEAP_OF(small);
    free(small);
    char *again = malloc(24);
    printf("main:   free(small), malloc(24) = %s (small came back through main's own tcache)\n",
           again == small ? "small" : "another chunk");
    free(big);
    printf("main:   free(big): too big for a tcache, it goes to its own arena's unsorted bin: bk = its heap+0x%lx "
           "(arena at heap+0x%lx), fd = heap+0x%lx (the thread's freed tcache struct)\n", L(big + 8) - h, L(h) - h,
           L(big) - h);
    char *c = malloc(0x500);
    printf("main:   malloc(0x500) = heap+0x%lx (main_arena's heap, not big)\n", c - heap);
    return 0;
}
