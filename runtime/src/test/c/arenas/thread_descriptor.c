/* Where a thread's descriptor (pthread_self(), the thread pointer) sits in its stack: how far below
 * the end of the read-write stack mapping, from /proc/self/maps. ArenaHeapsMatchGlibcTest asks the
 * simulated process the same. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
static void *body(void *arg)
{
    uintptr_t self = (uintptr_t)pthread_self();
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    while (fgets(line, sizeof line, f)) {
        uintptr_t lo, hi;
        sscanf(line, "%lx-%lx", &lo, &hi);
        if (self >= lo && self < hi)
            printf("the stack mapping ends 0x%lx above pthread_self()\n", hi - self);
    }
    fclose(f);
    return NULL;
}
int main(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 8 << 20);
    pthread_t t;
    pthread_create(&t, &a, body, NULL);
    pthread_join(t, NULL);
    return 0;
}
