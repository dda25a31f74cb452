/* malloc_info and malloc_stats after a mix of fastbin, tcache, small, large and mmapped chunks;
 * ApiTest replays the same calls on the simulator and compares both texts. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* no stdout buffer malloc */
    void *p[40];
    for (int i = 0; i < 40; i++)
        p[i] = malloc(i < 20 ? 24 : (i < 30 ? 200 : 2000));
    malloc(300000);
    for (int i = 0; i < 40; i += 2)
        free(p[i]);
    malloc_info(0, stdout);
    malloc_stats();
    malloc(5000);
    malloc_info(0, stdout);
    malloc_stats();
    return 0;
}
