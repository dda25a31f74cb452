/* Globals in .data and .bss, a static local, string literals and stdout/stderr: where ld puts them. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

uint64_t *chunk0_ptr;
int counter = 7;
static char name[] = "mallocscope";
long table[4] = {1, 2, 3, 4};
char big_bss[100];
struct pair { long key; int value; } pairs[3];

static int next_id(void) {
    static int id = 100;
    return id++;
}

int main(int argc, char **argv) {
    setbuf(stdout, NULL);
    chunk0_ptr = malloc(0x420);
    printf("&chunk0_ptr = %p -> %p\n", (void *)&chunk0_ptr, (void *)chunk0_ptr);
    printf("&counter = %p (%d), name = %p (%s)\n", (void *)&counter, counter, (void *)name, name);
    printf("table = %p, big_bss = %p, pairs = %p\n", (void *)table, (void *)big_bss, (void *)pairs);
    printf("ids %d %d %d\n", next_id(), next_id(), next_id());
    printf("stdout = %p, stderr = %p\n", (void *)stdout, (void *)stderr);
    printf("argc = %d, argv = %p, argv[0] = %s at %p\n", argc, (void *)argv, argv[0], (void *)argv[0]);
    fprintf(stderr, "table[2] + pairs[1].value = %ld\n", table[2] + pairs[1].value);
    return 0;
}
