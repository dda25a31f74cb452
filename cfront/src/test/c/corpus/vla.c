/* Variable-length arrays where gcc -O0 puts them: below the frame, the stack pointer lowered by the
 * size rounded up to 16, their address and upper bound in hidden locals (after the pushed rbx, or
 * rbx and r12-r15 when the array is declared in a loop), the stack pointer back when the block ends. */
#include <stdio.h>
#include <string.h>

struct pair {
    long a, b;
};

static void callee(const char *who) {
    int mark = 1;
    printf("  %s: callee's local at %p\n", who, (void *) &mark);
}

static void one(int n) {
    int before = 1;
    char arr[n];
    long after = 5;
    memset(arr, 'v', sizeof arr);
    arr[n - 1] = 0;
    printf("one(%d): &before %p arr %p sizeof %zu &after %p \"%s\"\n", n, (void *) &before, (void *) arr, sizeof arr,
           (void *) &after, arr + n - 4);
    callee("one");
}

static void ints(int n) {
    int k = n * 2;
    int arr[n];
    for (int i = 0; i < n; i++) {
        arr[i] = i * i;
    }
    printf("ints(%d): arr %p sizeof %zu k %d last %d\n", n, (void *) arr, sizeof arr, k, arr[n - 1]);
}

static void looped(int n) {
    char c = 'x';
    for (int j = 0; j < 3; j++) {
        struct pair ps[n + j];
        int z = j;
        ps[n + j - 1].a = j;
        printf("looped j=%d: ps %p sizeof %zu &z %p %c %ld\n", j, (void *) ps, sizeof ps, (void *) &z, c,
               ps[n + j - 1].a);
        callee("looped");
    }
    callee("after the loop");
}

static void nested(int n) {
    int outer = n;
    {
        double d[n];
        d[0] = 1.5;
        printf("nested: d %p sizeof %zu %.1f\n", (void *) d, sizeof d, d[0]);
        callee("in the block");
    }
    callee("after the block");
    printf("nested: &outer %p\n", (void *) &outer);
}

int main(void) {
    one(10);
    one(100);
    ints(3);
    ints(7);
    looped(2);
    nested(5);
    return 0;
}
