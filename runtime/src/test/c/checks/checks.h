/* Shared helpers of the integrity-check programs: each program corrupts the heap the way one
 * glibc 2.36 check detects, then makes the call that runs the check; glibc prints its message on
 * stderr and aborts. The first line of every program says which message it expects.
 * No stdio: nothing may allocate besides the program itself. */
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

typedef size_t W;
#define SIZE(m) (((W *)(m))[-1])  /* the size word of the chunk of user pointer m */
#define PREV(m) (((W *)(m))[-2])  /* its prev_size word */
#define WORD(m, i) (((W *)(m))[i]) /* user word i: 0 fd/next, 1 bk/key, 2 fd_nextsize, 3 bk_nextsize */
#define CHUNK(m) ((W)(m) - 16)
#define MANGLE(pos, ptr) ((((W)(pos)) >> 12) ^ (W)(ptr))

/* The 0x20 tcache bin filled: alloc7() takes seven 24-byte blocks; free7(), called after the
 * program's own allocations, frees them, so later 0x20 frees go to the fastbin. */
static void *t7[7];
static void alloc7(void)
{
    for (int i = 0; i < 7; i++)
        t7[i] = malloc(24);
}
static void free7(void)
{
    for (int i = 0; i < 7; i++)
        free(t7[i]);
}
