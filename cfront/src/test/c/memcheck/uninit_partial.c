/* memcheck under the C front end against Valgrind: a struct and an array partly written, on the stack
   and in the heap: the members written are defined, the others not, and a struct copied whole keeps
   which is which. */
#include <stdio.h>
#include <stdlib.h>

struct point {
    int x;
    int y;
    long tag;
};

int main(void) {
    struct point p;
    p.x = 3;
    if (p.x == 3) {
        puts("x written");
    }
    if (p.y == 0) {
        puts("y never written");
    }
    struct point q = p;
    if (q.y > 1) {
        puts("copied undefined");
    }
    int marks[4];
    marks[0] = 1;
    marks[1] = 2;
    int sum = 0;
    for (int i = 0; i < 4; i++) {
        sum += marks[i];
    }
    if (sum > 2) {
        puts("sum");
    }
    struct point *h = malloc(sizeof *h);
    h->tag = 42;
    if (h->tag == 42) {
        puts("tag");
    }
    if (h->x < 0) {
        puts("negative");
    }
    int init[3] = {5};
    if (init[2] == 0) { /* the rest of an initializer is zero */
        puts("zeroed");
    }
    free(h);
    return 0;
}
