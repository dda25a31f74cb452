#include "common.h"
#include <fcntl.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
    setbuf(stdout, NULL);
    const char *path = argc > 1 ? argv[1] : "/tmp/notes.txt";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror(path); return 1; }
    char *text = strdup("hello, page cache\n");
    printf("write() = %ld\n", (long) write(fd, text, 18));
    char *p = mmap(NULL, 18, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("mmap(MAP_SHARED) = %s, page aligned: %s\n", p == MAP_FAILED ? "MAP_FAILED" : "a mapping",
           YN(((unsigned long) p & 0xfff) == 0));
    printf("the mapping reads: %.17s\n", p);
    memcpy(p, strdup("HELLO"), 5);
    char *buf = calloc(1, 32);
    pread(fd, buf, 18, 0);
    printf("after a store through the mapping, read() gives: %.17s\n", buf);
    printf("msync(MS_SYNC) = %d\n", msync(p, 18, MS_SYNC));
    struct stat *st = malloc(sizeof *st);
    fstat(fd, st);
    printf("the file is still %ld bytes\n", (long) st->st_size);
    printf("byte 100 of the mapping, past the end of the file, reads %d\n", p[100]);
    p[100] = 'x';
    printf("a store there stays in the page: the file remains %ld bytes\n", (long) lseek(fd, 0, SEEK_END));
    int u = munmap(p, 18);
    printf("munmap = %d, close = %d\n", u, close(fd));
    return 0;
}
