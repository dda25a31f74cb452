/* A fork at the bottom of a recursion 20000 calls deep: the child resumes every frame (the interpreter's
 * Java stack rebuilt from the saved places) and returns through them; the main stack grows page by
 * page as the calls push their return addresses, as the kernel grows it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
static long down(int n) {
    if (n == 0) {
        pid_t p = fork();
        if (p > 0) {
            waitpid(p, NULL, 0);
        }
        return p == 0 ? 1 : 2;
    }
    return down(n - 1) + 1;
}
int main(void) {
    long r = down(20000);
    printf("%ld\n", r);
    return 0;
}
