#include "common.h"
#include "threads.h"
static char *first, *second;
static pthread_t first_self, second_self;
static void *one(void *arg)
{
    first = malloc(24);
    first_self = pthread_self();
    uintptr_t h = HEAP_OF(first);
    printf("thread 1: malloc(24) = its heap+0x%lx\n", (uintptr_t)first - h);
    return NULL;
}
static void *two(void *arg)
{
    second = malloc(24);
    second_self = pthread_self();
    uintptr_t h = HEAP_OF(second);
    printf("thread 2: malloc(24) = its heap+0x%lx\n", (uintptr_t)second - h);
    return NULL;
}
int main(void)
{
    setbuf(stdout, NULL);
    pthread_join(spawn(one, NULL), NULL);
    printf("main:     thread 1 ended: its tcache was emptied and freed, its arena put on the free list\n");
    pthread_join(spawn(two, NULL), NULL);
    printf("main:     thread 2 used thread 1's heap: %s\n", YN(HEAP_OF(first) == HEAP_OF(second)));
    printf("main:     thread 2 ran on thread 1's cached stack (same pthread_t): %s\n", YN(first_self == second_self));
    char *h = (char *)HEAP_OF(first);
    printf("main:     the arena's attached_threads is %ld again\n", L(h + 0x30 + 0x880));
    return 0;
}
