/* memcheck under the C front end against Valgrind: fork()'s value stored inside a condition, and
   waitpid's status, are defined in both processes (the front end stores fork's value as each process
   goes on from the fork); an uninitialised local is still reported, by the child and the parent. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t pid;
    int status;
    int tries;
    if ((pid = fork()) == 0) {
        if (tries > 2) {
            puts("child retries");
        }
        exit(3);
    }
    waitpid(pid, &status, 0);
    if (WEXITSTATUS(status) == 3 && pid > 0) {
        puts("child exited with 3");
    }
    if (tries > 2) {
        puts("parent retries");
    }
    return 0;
}
