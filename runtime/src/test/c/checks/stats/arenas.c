/* malloc_info and malloc_stats over several arenas. ArenaStatsMatchGlibcTest makes the same calls
 * on the simulator and compares both texts byte for byte.
 * Threads take turns (semaphores), so the run is the same every time: thread 1 fills its arena
 * with small, medium and large chunks and frees every other one; thread 2 allocates 90 blocks of
 * 800000 bytes (with M_MMAP_THRESHOLD raised: from its heaps), which chains a second heap to its
 * arena. With both threads alive main prints the statistics; then thread 2 frees its top 60 blocks
 * (the second heap is deleted and the first shrinks) and every other one of the rest, both
 * end, and main prints them again (the arenas are free but still listed); last a third thread
 * takes a free arena and allocates in it. */
#include <malloc.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#define COMPAT_PTHREAD
#include "../../compat_start.h" /* with -DCOMPAT_START: also runs on glibc 2.31 */

static sem_t ready, go[3]; /* go[i]: thread i+1 may go on (one at a time, so the arenas are freed in a fixed order) */
static void *blocks[90];

static void *mixed(void *arg)
{
    void *p[40];
    for (int i = 0; i < 40; i++)
        p[i] = malloc(i < 15 ? 24 : (i < 30 ? 200 : 3000));
    for (int i = 0; i < 40; i += 2)
        free(p[i]);
    malloc(2 << 20); /* mmapped from a thread */
    sem_post(&ready);
    sem_wait(&go[0]);
    return NULL;
}

static void *big(void *arg)
{
    for (int i = 0; i < 90; i++)
        blocks[i] = malloc(800000);
    sem_post(&ready);
    sem_wait(&go[1]);
    for (int i = 89; i >= 30; i--) /* the second heap is deleted, the first shrinks */
        free(blocks[i]);
    for (int i = 0; i < 30; i += 2)
        free(blocks[i]);
    return NULL;
}

static void *late(void *arg)
{
    free(malloc(5000));
    malloc(40);
    sem_post(&ready);
    sem_wait(&go[2]);
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* no stdout buffer malloc */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8 << 20);
    void *keep = malloc(100);
    free(malloc(70));
    pthread_t t1, t2, t3;
    sem_init(&ready, 0, 0);
    for (int i = 0; i < 3; i++)
        sem_init(&go[i], 0, 0);
    pthread_create(&t1, &attr, mixed, NULL);
    sem_wait(&ready);
    pthread_create(&t2, &attr, big, NULL);
    sem_wait(&ready);
    malloc_info(0, stdout);
    malloc_stats();
    sem_post(&go[0]);
    pthread_join(t1, NULL);
    sem_post(&go[1]);
    pthread_join(t2, NULL);
    malloc_info(0, stdout);
    malloc_stats();
    pthread_create(&t3, &attr, late, NULL);
    sem_wait(&ready);
    malloc_info(0, stdout);
    malloc_stats();
    sem_post(&go[2]);
    pthread_join(t3, NULL);
    free(keep);
    return 0;
}
