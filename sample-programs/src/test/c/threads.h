/* The thread helpers of the threaded twins: every thread gets an explicit 8 MiB stack (the simulated
 * default), and HEAP_OF gives the 64 MiB-aligned heap a non-main arena's chunk lies in. */
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#define HEAP_MAX_SIZE (64UL << 20)
#define HEAP_OF(p) ((uintptr_t)(p) & ~(HEAP_MAX_SIZE - 1))
static pthread_t spawn(void *(*body)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8UL << 20);
    pthread_create(&t, &attr, body, arg);
    return t;
}
