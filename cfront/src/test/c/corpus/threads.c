/* pthreads from C: create/join with a result, a mutex-protected counter, a condition variable and a
 * semaphore handing turns over, pthread_self, and each thread's malloc from its own arena (the heap
 * offsets in their 64 MiB-aligned heaps). Output order is fixed by the joins and hand-overs. */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static sem_t turn;
static long counter;
static int go;
static char *blocks[3];

static void *adder(void *arg) {
    long n = (long) arg;
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&lock);
        counter += 1;
        pthread_mutex_unlock(&lock);
        if (i % 10 == 0) {
            sched_yield();
        }
    }
    return (void *) (n * 2);
}

static void *waiter(void *arg) {
    pthread_mutex_lock(&lock);
    while (!go) {
        pthread_cond_wait(&ready, &lock);
    }
    pthread_mutex_unlock(&lock);
    int k = (int) (intptr_t) arg;
    blocks[k] = malloc(0x28);
    uintptr_t heap = (uintptr_t) blocks[k] & ~((64UL << 20) - 1);
    printf("waiter %d: malloc(0x28) at its heap+0x%lx\n", k, (unsigned long) ((uintptr_t) blocks[k] - heap));
    sem_post(&turn);
    return NULL;
}

int main(void) {
    setbuf(stdout, NULL);
    pthread_t a, b;
    pthread_create(&a, NULL, adder, (void *) 50L);
    pthread_create(&b, NULL, adder, (void *) 70L);
    void *ra, *rb;
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    printf("counter %ld, results %ld %ld, distinct ids %d\n", counter, (long) ra, (long) rb, a != b);

    sem_init(&turn, 0, 0);
    pthread_t w;
    pthread_create(&w, NULL, waiter, (void *) 1);
    pthread_mutex_lock(&lock);
    go = 1;
    pthread_cond_signal(&ready);
    pthread_mutex_unlock(&lock);
    sem_wait(&turn);
    pthread_join(w, NULL);
    char *mine = malloc(0x28);
    printf("main: malloc(0x28) %s the waiter's heap\n",
           ((uintptr_t) mine >> 26) == ((uintptr_t) blocks[1] >> 26) ? "in" : "outside");
    free(blocks[1]);
    free(mine);
    printf("self is main: %d\n", pthread_self() != w);
    return 0;
}
