/* A fork() in a thread that has not malloc'ed yet: in the child, pthread_self() is still that thread,
 * its first malloc takes main_arena from the free list glibc's fork handler made, and pthread_exit
 * of the child's only thread ends the process with status 0. */
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/wait.h>
static pthread_t worker_id;
static void *worker(void *arg) {
    pthread_t me = pthread_self();
    if (fork() == 0) {
        printf("child: self is the worker %d\n", pthread_self() == me);
        void *p = malloc(10);
        printf("child: %p\n", p);
        pthread_exit(NULL);
    }
    int st;
    wait(&st);
    printf("parent: child status %d\n", WEXITSTATUS(st));
    return NULL;
}
int main(void) {
    setbuf(stdout, NULL);
    pthread_create(&worker_id, NULL, worker, NULL);
    pthread_join(worker_id, NULL);
    puts("main done");
    return 0;
}
