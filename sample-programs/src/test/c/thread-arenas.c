#include "common.h"
#include "threads.h"
static char *heap;
static void *worker(void *arg)
{
    char *p = malloc(24);
    uintptr_t h = HEAP_OF(p);
    printf("thread: malloc(24) = its heap+0x%lx, size word 0x%lx (0x20 | PREV_INUSE | NON_MAIN_ARENA)\n",
           (uintptr_t)p - h, L(p - 8));
    printf("thread: its heap starts on a 64 MiB boundary: %s; heap_info.ar_ptr = heap+0x%lx, size 0x%lx, "
           "mprotect_size 0x%lx\n", YN(h % HEAP_MAX_SIZE == 0), L(h) - h, L(h + 16), L(h + 24));
    printf("thread: its tcache struct is the chunk at heap+0x8d0, size word 0x%lx\n", L(h + 0x8d8));
    free(p);
    char *q = malloc(24);
    printf("thread: free, malloc(24) again = heap+0x%lx (its own tcache)\n", (uintptr_t)q - h);
    return NULL;
}
int main(void)
{
    setbuf(stdout, NULL);
    heap = sbrk(0);
    char *a = malloc(24);
    printf("main:   malloc(24) = heap+0x%lx, size word 0x%lx (main_arena: no A bit)\n", a - heap, L(a - 8));
    free(a);
    printf("main:   freed it into main's tcache\n");
    pthread_join(spawn(worker, NULL), NULL);
    char *b = malloc(24);
    printf("main:   malloc(24) = heap+0x%lx (main's tcache still held it)\n", b - heap);
    return 0;
}
