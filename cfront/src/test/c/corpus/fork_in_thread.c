/* fork() in a thread other than main, as Linux and glibc 2.36 do it: the child has one thread, the
 * caller, on its copy of the caller's stack; main does not go on in the child; the caller keeps its
 * arena and tcache, and every other arena (main_arena too) goes on the free list, so a thread the
 * child makes gets main_arena. When the thread's function returns in the child, the process exits
 * with status 0, stdio written out. */
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/wait.h>

static void *in_child_thread(void *arg) {
    void *p = malloc(40);
    int local;
    printf("child's new thread: malloc %p local %p\n", p, (void *) &local);
    return p;
}

static int depth(int n, int x) {
    if (n == 0) {
        return x * 10 + (fork() == 0 ? 1 : 2); /* held across the call */
    }
    return depth(n - 1, x);
}

static void *worker(void *arg) {
    void *a = malloc(100);
    void *b = malloc(200);
    free(a);
    int local = 5;
    printf("worker: a %p b %p local %p\n", a, b, (void *) &local);
    int r = depth(3, 4);
    if (r == 41) {
        void *c = malloc(100); /* the tcache's chunk: a again */
        void *d = malloc(5000);
        printf("child: r %d c %p d %p local %p\n", r, c, d, (void *) &local);
        pthread_t t;
        pthread_create(&t, NULL, in_child_thread, NULL);
        pthread_join(t, NULL);
        return NULL; /* the last thread: the child exits with 0 */
    }
    int st;
    waitpid(-1, &st, 0);
    printf("parent: r %d, child exited %d status %d\n", r, WIFEXITED(st), WEXITSTATUS(st));
    void *c = malloc(100);
    printf("parent: c %p\n", c);
    return b;
}

int main(void) {
    int count = 7;
    pthread_t t;
    void *m = malloc(24);
    printf("main: m %p\n", m);
    fflush(stdout);
    pthread_create(&t, NULL, worker, &count);
    count = 8;
    void *ret;
    pthread_join(t, &ret);
    printf("main: joined %p, count %d\n", ret, count);
    return 0;
}
