#include "common.h"
#include <fcntl.h>
int main(int argc, char **argv) {
    setbuf(stdout, NULL);
    const char *path = argc > 1 ? argv[1] : "/tmp/original.txt";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror(path); return 1; }
    write(fd, strdup("original text\n"), 14);
    char *p = mmap(NULL, 14, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("the private mapping reads:                %.13s\n", p);
    pwrite(fd, strdup("ORIGINAL"), 8, 0);
    printf("after write() to the file it reads:       %.13s\n", p);
    p[0] = 'o';
    printf("after a store (the page is now a copy):   %.13s\n", p);
    pwrite(fd, strdup("XX"), 2, 9);
    printf("after another write() to the file:        %.13s\n", p);
    char *buf = calloc(1, 16);
    pread(fd, buf, 13, 0);
    printf("the file holds:                           %.13s\n", buf);
    munmap(p, 14);
    close(fd);
    return 0;
}
