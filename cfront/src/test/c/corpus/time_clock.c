/* <time.h>'s clock functions: time() with and without a place to store it, clock() and difftime(),
   and the usual srand(time(NULL)); no heap change. What is printed does not depend on the moment. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void) {
    time_t stored = 0;
    time_t now = time(&stored);
    clock_t start = clock();
    srand((unsigned) time(NULL));
    int r = rand();
    void *p = malloc(24);
    clock_t end = clock();
    time_t later = time(NULL);
    printf("time: %d %d %d\n", now > 1700000000, stored == now, later >= now);
    printf("clock: %d %d %ld\n", start >= 0, end >= start, (long) CLOCKS_PER_SEC);
    printf("difftime: %.1f %d\n", difftime(now + 90, now), difftime(later, now) >= 0.0);
    printf("rand: %d, sizeof(time_t) %zu, heap %p\n", r >= 0, sizeof(time_t), p);
    free(p);
    return 0;
}
