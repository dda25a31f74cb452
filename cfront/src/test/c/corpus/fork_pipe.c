/* fork() from C: the child goes on after the call with fork() == 0, the parent gets the child's pid.
 * A pipe each way, a MAP_SHARED anonymous page, malloc in the child only, stdout's buffer copied at
 * the fork (what it held is printed by every process that flushes it), _exit losing it, children
 * ended by signals, a fork deep in recursion and inside half-evaluated expressions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

static int counter = 10;

static pid_t spawn(int code) {
    int twice = code * 2;
    pid_t pid = fork();
    if (pid == 0) {
        printf("spawned: twice %d at %p, code %d\n", twice, (void *) &twice, code);
        exit(code);
    }
    return pid;
}

static long deep(int n) {
    if (n == 0) {
        return fork() == 0 ? 1000 : 2000;
    }
    return n + deep(n - 1);
}

static void exchange(const char *before) {
    int down[2], up[2];
    pipe(down);
    pipe(up);
    printf("pipes: %d %d %d %d\n", down[0], down[1], up[0], up[1]);
    long *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared[0] = 1;
    shared[1] = getpid();
    int local = 7;
    pid_t pid;
    if ((pid = fork()) == 0) {
        close(down[1]);
        close(up[0]);
        char buf[64];
        ssize_t n = read(down[0], buf, sizeof buf - 1);
        buf[n] = 0;
        char *mine = malloc(100);
        printf("child: read %zd bytes \"%s\"; local %d at %p; mine %p\n", n, buf, local, (void *) &local,
               (void *) mine);
        printf("child: my parent is the forker: %s\n", getppid() == shared[1] ? "yes" : "no");
        shared[0] += 41;
        shared[2] = getpid();
        counter += 5;
        snprintf(buf, sizeof buf, "reply to %s", before);
        write(up[1], buf, strlen(buf));
        close(up[1]);
        exit(counter);
    }
    close(down[0]);
    close(up[1]);
    write(down[1], "hello child", 11);
    close(down[1]);
    char reply[64];
    ssize_t n = read(up[0], reply, sizeof reply - 1);
    reply[n] = 0;
    int status = -1;
    pid_t w = waitpid(pid, &status, 0);
    printf("parent: reply \"%s\"; waited for it: %s; exited %d with %d\n", reply, w == pid ? "yes" : "no",
           WIFEXITED(status), WEXITSTATUS(status));
    ssize_t end = read(up[0], reply, 10);
    printf("parent: the pid it got is the child's: %s; end of pipe: %zd\n", shared[2] == pid ? "yes" : "no", end);
    printf("parent: shared %ld; counter %d; local %d at %p\n", shared[0], counter, local, (void *) &local);
    char *after = malloc(100);
    printf("parent: after %p\n", (void *) after);
}

/* gcc keeps local * 100 in a callee-saved register across the call (and pushes it in the prologue,
 * which the front end does not model: this frame's addresses are not printed) */
static long halfway(int local) {
    return local * 100 + (fork() == 0 ? 1 : 2);
}

int main(void) {
    char *before = strdup("made before the fork");
    printf("before: \"%s\" at %p\n", before, (void *) before);
    exchange(before);
    int local = 7, status;
    pid_t w;
    pid_t s = spawn(3);
    w = wait(&status);
    printf("spawn: waited %s, exited %d with %d\n", w == s ? "yes" : "no", WIFEXITED(status), WEXITSTATUS(status));

    if (fork() == 0) {
        abort();
    }
    wait(&status);
    printf("abort: signaled %d, signal %d, exited %d\n", WIFSIGNALED(status), WTERMSIG(status), WIFEXITED(status));
    if (fork() == 0) {
        *(volatile int *) 16 = 1;
    }
    wait(&status);
    printf("segv: signaled %d, signal %d\n", WIFSIGNALED(status), WTERMSIG(status));

    long half = halfway(local);
    if (half == 701) {
        printf("half-evaluated: child %ld\n", half);
        exit(0);
    }
    wait(NULL);
    long v = deep(3);
    if (v < 2000) {
        printf("deep: child %ld\n", v);
        return 9;
    }
    wait(&status);
    printf("deep: parent %ld, the child returned %d from main\n", v, WEXITSTATUS(status));

    int sum = 0;
    for (int i = 0; i < 3; i++) {
        if (fork() == 0) {
            printf("lost: _exit drops what stdout's buffer holds %d\n", i);
            _exit(i + 1);
        }
    }
    for (int i = 0; i < 3; i++) {
        waitpid(-1, &status, 0);
        sum += WEXITSTATUS(status);
    }
    int none = wait(NULL);
    printf("loop: statuses add up to %d; no more children: %d\n", sum, none);
    return 0;
}
