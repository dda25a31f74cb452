#include "common.h"
#include <sys/wait.h>
int main(void) {
    setbuf(stdout, NULL);
    char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *fds = malloc(8);
    pipe(fds);
    int rd = fds[0], wr = fds[1];
    int pid = fork();
    if (pid == 0) {
        close(rd);
        strcpy(shared, "written by the child");
        strcpy(priv, "the child's own copy");
        write(wr, strdup("ready"), 5);
        close(wr);
        exit(3);
    }
    close(wr);
    char *buf = calloc(1, 16);
    long n = read(rd, buf, 15);
    printf("parent read %ld bytes from the pipe: %s\n", n, buf);
    printf("the shared mapping holds:  \"%s\"\n", shared);
    printf("the private mapping holds: \"%s\"\n", priv);
    int *st = malloc(4);
    waitpid(pid, st, 0);
    printf("the child exited: %s, status %d\n", YN(WIFEXITED(*st)), WEXITSTATUS(*st));
    printf("read after the child closed its end: %ld\n", (long) read(rd, buf, 15));
    return 0;
}
