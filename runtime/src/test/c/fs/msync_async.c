/* msync(MS_ASYNC) on Linux starts no write-back: the stored pages of a shared file mapping are still
 * dirty afterwards (/proc/self/smaps counts them), MS_SYNC cleans them. argv[1]: the file to make.
 * MsyncMatchesLinuxTest makes the same calls on the simulator. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long dirty_kb(char *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    int in = 0;
    long kb = 0, v;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && line[strspn(line, "0123456789abcdef")] == '-') {
            in = (unsigned long)p == lo;
            continue;
        }
        if (in && (sscanf(line, "Private_Dirty: %ld kB", &v) == 1 || sscanf(line, "Shared_Dirty: %ld kB", &v) == 1))
            kb += v;
    }
    fclose(f);
    return kb;
}

int main(int argc, char **argv)
{
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(fd, 8192);
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    p[0] = 'A';
    p[4096] = 'B';
    printf("after two stores: %ld dirty pages\n", dirty_kb(p) / 4);
    int r = msync(p, 8192, MS_ASYNC);
    printf("msync(MS_ASYNC) = %d: %ld dirty pages\n", r, dirty_kb(p) / 4);
    r = msync(p, 8192, MS_SYNC);
    printf("msync(MS_SYNC) = %d: %ld dirty pages\n", r, dirty_kb(p) / 4);
    return 0;
}
