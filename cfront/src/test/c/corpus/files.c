/* Files from C: open/write/lseek/read/pread/pwrite/fstat/ftruncate/close/unlink on a file, and a
 * file mapped shared and private (a private page copied on write, the shared one reaching the file). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH "/tmp/mallocscope-cfront-files.dat"

int main(void) {
    setbuf(stdout, NULL);
    unlink(PATH);
    int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    printf("fd %d\n", fd);
    const char *text = "hello, heap\n";
    printf("write %zd\n", write(fd, text, strlen(text)));
    printf("lseek end %ld\n", (long) lseek(fd, 0, SEEK_END));
    printf("lseek set %ld\n", (long) lseek(fd, 7, SEEK_SET));
    char buf[32] = {0};
    printf("read %zd '%s'\n", read(fd, buf, sizeof buf - 1), buf);
    printf("pwrite %zd\n", pwrite(fd, "H", 1, 0));
    memset(buf, 0, sizeof buf);
    printf("pread %zd '%s'\n", pread(fd, buf, 5, 0), buf);
    printf("ftruncate %d\n", ftruncate(fd, 4096));
    struct stat st;
    printf("fstat %d size %ld regular %d\n", fstat(fd, &st), (long) st.st_size, S_ISREG(st.st_mode));

    char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("mapped %d %d\n", shared != MAP_FAILED, private != MAP_FAILED);
    printf("shared sees '%.5s', private sees '%.5s'\n", shared, private);
    private[0] = 'J';
    shared[1] = 'A';
    printf("after writes: shared '%.5s', private '%.5s'\n", shared, private);
    printf("msync %d\n", msync(shared, 4096, MS_SYNC));
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 5, 0);
    printf("file holds '%s'\n", buf);
    munmap(shared, 4096);
    munmap(private, 4096);
    printf("close %d, again %d\n", close(fd), close(fd));
    printf("open missing %d\n", open("/tmp/mallocscope-cfront-no/such", O_RDONLY));
    perror("open missing");
    printf("unlink %d\n", unlink(PATH));
    return 0;
}
