/* After fork the child's arenas are all free but the forking thread's (__malloc_fork_unlock_child
 * rebuilds free_list in the order of main_arena.next): threads A and B, each with its own arena, are
 * alive in the parent when main forks; in the child a new thread's first malloc takes an arena from
 * that free list instead of making one. ArenaHeapsMatchGlibcTest makes the same calls on the simulator. */
#include <malloc.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#define HEAP_OF(p) ((uintptr_t)(p) & ~((64UL << 20) - 1))
static sem_t ready, go;
static pthread_attr_t attr;
static void *parked(void *arg)
{
    *(void **)arg = malloc(24);
    sem_post(&ready);
    sem_wait(&go);
    return NULL;
}
static void *late(void *arg)
{
    *(void **)arg = malloc(24);
    return NULL;
}
int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8 << 20);
    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    void *a, *b;
    pthread_t ta, tb;
    pthread_create(&ta, &attr, parked, &a);
    sem_wait(&ready);
    pthread_create(&tb, &attr, parked, &b);
    sem_wait(&ready);
    pid_t pid = fork();
    if (pid == 0) {
        void *c1, *c2, *c3;
        sem_init(&ready, 0, 0); /* the child's own, fresh (the simulator keeps no fork copy of them) */
        sem_init(&go, 0, 0);
        pthread_t t;
        pthread_create(&t, &attr, late, &c1);
        pthread_join(t, NULL);
        printf("child: a new thread's block is in A's heap: %d, in B's: %d\n", HEAP_OF(c1) == HEAP_OF(a),
               HEAP_OF(c1) == HEAP_OF(b));
        void *keep = malloc(1); /* main_arena */
        pthread_create(&t, &attr, parked, &c2);
        sem_wait(&ready);
        pthread_create(&tb, &attr, late, &c3);
        pthread_join(tb, NULL);
        printf("child: two threads at once: the first in A's heap: %d, the second in B's: %d\n",
               HEAP_OF(c2) == HEAP_OF(a), HEAP_OF(c3) == HEAP_OF(b));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    void *p;
    pthread_t t;
    pthread_create(&t, &attr, late, &p);
    pthread_join(t, NULL);
    printf("parent: a new thread's block is in A's heap: %d, in B's: %d, in a third heap: %d\n",
           HEAP_OF(p) == HEAP_OF(a), HEAP_OF(p) == HEAP_OF(b), HEAP_OF(p) != HEAP_OF(a) && HEAP_OF(p) != HEAP_OF(b));
    sem_post(&go);
    sem_post(&go);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    return 0;
}
