#include "common.h"
#include "threads.h"
static char *heap;
static sem_t ready, go;
static void *worker(void *arg)
{
    char *p = malloc(24);
    printf("thread %ld: malloc(24) = heap+0x%lx, size word 0x%lx (main_arena's heap: no A bit)\n",
           (long)arg, p - heap, L(p - 8));
    printf("thread %ld: its tcache struct is the 0x290 chunk at heap+0x%lx (size word 0x%lx)\n",
           (long)arg, p - 0x2a0 - heap, L(p - 0x2a0 + 8));
    sem_post(&ready);
    sem_wait(&go);
    return NULL;
}
int main(void)
{
    setbuf(stdout, NULL);
    heap = sbrk(0);
    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    mallopt(M_ARENA_MAX, 1); /* what GLIBC_TUNABLES=glibc.malloc.arena_max=1 sets */
    char *a = malloc(24);
    printf("main:     malloc(24) = heap+0x%lx\n", a - heap);
    pthread_t t1 = spawn(worker, (void *)1);
    sem_wait(&ready);
    pthread_t t2 = spawn(worker, (void *)2);
    sem_wait(&ready);
    printf("main:     both threads alive, and malloc_info lists one arena:\n");
    malloc_info(0, stdout);
    sem_post(&go);
    sem_post(&go);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return 0;
}
