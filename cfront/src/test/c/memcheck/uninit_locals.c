/* memcheck under the C front end against Valgrind: uninitialised locals on the stack, in main and in
   a function, reported where the program branches on them; a parameter is as defined as its argument,
   an initialised local is silent, an undefined value copied through locals and a return stays so. */
#include <stdio.h>

static int twice(int n) {
    int result = n * 2;
    return result;
}

static int pick(int limit) {
    int chosen;
    if (limit > 3) { /* defined: the caller passed a constant */
        puts("large");
    }
    return chosen; /* undefined back to the caller */
}

static void check(int v) {
    if (v > 100) { /* undefined when the caller's argument was */
        puts("big");
    }
}

int main(void) {
    int total;
    int seen = 0;
    if (total > 0) {
        puts("total");
    }
    if (seen) {
        puts("seen");
    }
    int copy = total;
    int again = copy;
    if (again == 3) {
        puts("three");
    }
    int got = pick(5);
    if (got) {
        puts("got");
    }
    check(twice(4));
    check(got);
    total = 12;
    if (total > 10) {
        puts("defined now");
    }
    return 0;
}
