/* stdout, stdin and stderr are copied into the program's .bss, each aligned as ld aligns a copy (by the
 * power of two dividing its offset in libc's .data: 8, 16, 32), and .bss as its most aligned member: with
 * only stdout and a 16-byte array, stdout sits 16-aligned and the array right after crtstuff's flag. */
#include <stdio.h>

long counted = 1;
int more = 2;
long pair[2];

int main(void) {
    pair[0] = counted + more;
    fprintf(stdout, "%ld %p %p\n", pair[0], (void *) &more, (void *) pair);
    return 0;
}
