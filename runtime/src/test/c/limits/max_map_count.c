/*
 * What vm.max_map_count does to mmap, munmap, mprotect and brk on this kernel. Prints one line per
 * step with the mapping count relative to the limit, so the simulator (MaxMapCountMatchesLinuxTest)
 * can print the same lines whatever number of mappings each process starts with.
 * No malloc and no stdio buffer: the output goes through write(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char maps[1 << 16];
static char line[256];
static long max;

/* Mappings (VMAs) of this process: the lines of /proc/self/maps, less [vsyscall], which is none. */
static long count(void) {
    int fd = open("/proc/self/maps", O_RDONLY);
    long n = 0;
    ssize_t r;
    while ((r = read(fd, maps, sizeof maps)) > 0) {
        for (ssize_t k = 0; k < r; k++) {
            n += maps[k] == '\n';
        }
    }
    close(fd);
    return n - 1;
}

static void say(const char *step, int failed) {
    int len = snprintf(line, sizeof line, "%s: %s, count-max=%ld\n", step, failed ? strerror(errno) : "ok",
                       count() - max);
    write(1, line, len);
}

int main(void) {
    int fd = open("/proc/sys/vm/max_map_count", O_RDONLY);
    ssize_t r = read(fd, line, sizeof line - 1);
    close(fd);
    line[r > 0 ? r : 0] = 0;
    sscanf(line, "%ld", &max);

    say("start", 0);
    sbrk(4096); /* a heap to grow later */
    char *target = mmap(0, 5 * 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *single[4] = {0};
    for (long i = 0;; i++) {
        char *p = mmap(0, 4096, (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            say("mmap until it fails", 1);
            break;
        }
        single[i & 3] = p;
    }
    say("sbrk growing the heap", sbrk(4096) == (void *) -1);
    say("munmap a whole mapping", munmap(single[0], 4096) != 0);
    say("sbrk growing the heap", sbrk(4096) == (void *) -1);
    say("mprotect splitting a mapping", mprotect(target + 4096, 4096, PROT_NONE) != 0);
    say("munmap punching a hole", munmap(target + 2 * 4096, 4096) != 0);
    say("munmap the first page of a mapping", munmap(target, 4096) != 0);
    char *p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap one more", p == MAP_FAILED);
    say("munmap a whole mapping", munmap(p, 4096) != 0);
    say("munmap a whole mapping", munmap(single[1], 4096) != 0);
    say("mprotect splitting a mapping", mprotect(target + 4096, 4096, PROT_NONE) != 0);
    say("munmap punching a hole", munmap(target + 3 * 4096, 4096) != 0);
    say("munmap a whole mapping", munmap(single[2], 4096) != 0);
    say("munmap punching a hole", munmap(target + 3 * 4096, 4096) != 0);
    return 0;
}
