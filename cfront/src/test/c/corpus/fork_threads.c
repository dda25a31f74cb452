/* A forked child that makes a thread: the thread writes to the child's copy of stdout's buffer (which
 * holds the line printed before the fork), mallocs from its own arena, and its frame is where glibc
 * puts it; the parent does the same. */
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/wait.h>
static void *body(void *arg) {
    char *p = malloc(32);
    int local;
    printf("thread in pid-%s: malloc %p &local %p arg %ld\n", (char *) arg, (void *) p, (void *) &local, 1L);
    return p;
}
int main(void) {
    printf("buffered before fork\n");
    pid_t pid = fork();
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, body, pid == 0 ? "child" : "parent");
    pthread_join(t, &r);
    printf("%s joined, thread's block %p\n", pid == 0 ? "child" : "parent", r);
    if (pid == 0) {
        exit(4);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child exited %d\n", WEXITSTATUS(st));
    return 0;
}
