#include "common.h"
#include <sys/wait.h>
int main(void) {
    setbuf(stdout, NULL);
    char *heap = sbrk(0);
    char *a = malloc(24);
    strcpy(a, "parent data");
    printf("parent: a = heap+0x%lx holds \"%s\"\n", a - heap, a);
    int pid = fork();
    if (pid == 0) {
        printf("child:  a = heap+0x%lx holds \"%s\" (a copy)\n", a - heap, a);
        char *b = malloc(24);
        printf("child:  b = malloc(24) = heap+0x%lx\n", b - heap);
        free(a);
        char *again = malloc(24);
        strcpy(again, "child data");
        printf("child:  freed a; malloc(24) = heap+0x%lx again, now \"%s\"\n", again - heap, again);
        exit(0);
    }
    waitpid(pid, NULL, 0);
    char *b = malloc(24);
    printf("parent: b = malloc(24) = heap+0x%lx, the address the child's b had\n", b - heap);
    printf("parent: a still holds \"%s\"\n", a);
    return 0;
}
