/* What a forked child inherits is libc's state at the fork() call, even when the parent runs on
 * first: rand's state, strtok's position, an open stream with its unflushed buffer (which the parent
 * then writes to and closes before the child, waiting on a pipe, uses its copy). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

int main(void) {
    srand(1);
    char list[] = "a,b,c,d";
    char *t = strtok(list, ",");
    int go[2];
    pipe(go);
    FILE *f = fopen("fork_state.txt", "w");
    fprintf(f, "before;");
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(go[1]);
        read(go[0], &c, 1);
        printf("child rand %d tok %s first %s\n", rand(), strtok(NULL, ","), t);
        fprintf(f, "child;");
        exit(0);
    }
    int r = rand();
    char *u = strtok(NULL, ",");
    fprintf(f, "parent;");
    fclose(f);
    write(go[1], "g", 1);
    int st;
    waitpid(pid, &st, 0);
    printf("parent rand %d tok %s\n", r, u);
    printf("child status 0x%x\n", st);
    f = fopen("fork_state.txt", "r");
    char line[200];
    if (fgets(line, sizeof line, f)) {
        printf("[%s]\n", line);
    }
    fclose(f);
    remove("fork_state.txt");
    return 0;
}
