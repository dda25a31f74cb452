/* /proc/self/maps is written by the kernel as it is read, not at fopen: a mapping made after fopen
 * and before the first read is in the text; a read goes on from the last line the previous one
 * made, so mappings added later below that line are missed and those above it are seen. Only the
 * program's own mappings (at 0x100000000 and 0x200000000) are printed; 0x2000 bytes and the
 * 1024-byte reads put the reads' edge among them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void show(const char *line) {
    unsigned long start = strtoul(line, NULL, 16);
    if (start < 0x300000000UL) {
        printf("%.30s\n", line);
    }
}

int main(void) {
    setbuf(stdout, NULL);
    char *x = (char *) 0x200000000UL;
    for (int i = 0; i < 120; i += 2) {
        mmap(x + i * 4096L, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    }
    FILE *f = fopen("/proc/self/maps", "r");
    char *m = mmap((void *) 0x100000000UL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("mmap after fopen: %p\n", (void *) m);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        show(line);
        if (n++ == 0) {
            printf("ftell after the first line: %ld\n", ftell(f));
            void *p = malloc(16);
            printf("malloc(16) after the first read: %p\n", p);
            free(p);
            for (int i = 1; i < 120; i += 2) {
                mmap(x + i * 4096L, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            }
            munmap(m, 1 << 20);
        }
    }
    printf("lines %d, at the end ftell > 0: %d\n", n, ftell(f) > 0);
    printf("fseek 0: %d\n", fseek(f, 0, SEEK_SET));
    if (fgets(line, sizeof line, f)) {
        show(line);
    }
    int r = fseek(f, 50, SEEK_SET);
    printf("fseek 50: %d ftell %ld\n", r, ftell(f));
    if (fgets(line, sizeof line, f)) {
        show(line);
    }
    r = fseek(f, 0, SEEK_END); /* glibc: SEEK_SET at st_size, which is 0 */
    printf("fseek 0 SEEK_END: %d ftell %ld\n", r, ftell(f));
    if (fgets(line, sizeof line, f)) {
        show(line);
    }
    fclose(f);
    return 0;
}
