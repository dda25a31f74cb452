/* memcheck under the C front end against Valgrind: a variable-length array's bytes hold nothing until
   written, as a frame's locals; a struct returned by value arrives with the members its function wrote
   defined; the stack a returned function used is undefined again for the next call's locals. */
#include <stdio.h>

struct pair {
    int first;
    int second;
};

static struct pair make(int first) {
    struct pair p;
    p.first = first;
    p.second = first + 1;
    return p;
}

static int total(int n) {
    int values[n];
    values[0] = 1;
    int sum = values[0];
    if (n > 1 && values[1] > 0) { /* values[1] was never written */
        sum++;
    }
    return sum;
}

static void writes(void) {
    int scratch = 5;
    printf("%d\n", scratch);
}

static void reads(void) {
    int leftover; /* where writes() kept scratch: undefined again */
    if (leftover == 5) {
        puts("leftover");
    }
}

int main(void) {
    printf("%d\n", total(3));
    struct pair q = make(4);
    if (q.second == 5) {
        puts("five");
    }
    writes();
    reads();
    return 0;
}
