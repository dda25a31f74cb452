/* Frames gcc -O0 makes bigger or smaller than their locals: a floating-point value live across a call
 * gets a stack slot of its own below the parameters (or, passed in xmm0, a callee-saved register), and
 * a function whose callees are the program's own functions compiled before it, needing no 16-byte
 * alignment, gets a frame aligned to 8 bytes. Each callee says where its local is. */
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>

long at;  /* where mark's local was */

/* a leaf: its frame needs 8 bytes of alignment */
int mark(void) {
    int here = 1;
    at = (long) &here;
    return here;
}

/* a leaf with a 16-aligned array: callers align to 16 */
int mark16(int i) {
    char b[20];
    b[i] = 2;
    at = (long) b;
    return b[i];
}

/* calls only mark: 8-aligned */
long only_leaf(int x) {
    int y = x + mark();
    return (long) &y;
}

/* calls only_leaf: still 8-aligned */
long two_deep(int x) {
    char c = 'c';
    long r = only_leaf(x) + (c - 'c');
    return r;
}

/* calls mark16: 16-aligned */
long leaf16(int x) {
    int y = x + mark16(3);
    return (long) &y;
}

int later(int x);

/* calls a function defined after it: 16-aligned */
long calls_later(int x) {
    int y = later(x);
    return (long) &y;
}

int later(int x) {
    int here = x;
    at = (long) &here;
    return here;
}

/* values held across the call in callee-saved registers, in an 8-aligned frame */
long held(int x) {
    int y = x * 2 + (x * 3 + mark());
    return (long) &y;
}

/* a double live across the call: a slot below the parameters */
double spill(double d) {
    double r = d * 2 + mark();
    printf("spill: r %p d %p, mark's local %p\n", (void *) &r, (void *) &d, (void *) at);
    return r;
}

/* a double and a float: two slots, the float's in the double's alignment hole */
double spill2(int x, double d, float e) {
    double r = d * 2 + (e * 3 + mark());
    double s = r + mark();
    printf("spill2: r %p s %p x %p, mark's local %p\n", (void *) &r, (void *) &s, (void *) &x, (void *) at);
    return r;
}

/* three doubles across one call, with a pointer's load */
double spill3(double *p) {
    double r = *p * 2 + (*p * 3 + (*p * 4 + mark()));
    printf("spill3: r %p p %p, mark's local %p\n", (void *) &r, (void *) &p, (void *) at);
    return r;
}

/* a float: a 4-byte slot */
float spillf(float e, char c) {
    float r = e * 2 + mark();
    printf("spillf: r %p e %p c %p, mark's local %p\n", (void *) &r, (void *) &e, (void *) &c, (void *) at);
    return r;
}

/* the argument passed in xmm0, computed before a call made for a later argument: rbx, pushed */
int in_xmm0(double d, int x) {
    int y = x;
    printf("in_xmm0: %d %f %d\n", mark(), d * 2, x * 3);
    printf("in_xmm0: y %p d %p, mark's local %p\n", (void *) &y, (void *) &d, (void *) at);
    return y;
}

/* computed after the call: nothing held */
int after(double d) {
    int y = 1;
    printf("after: %f %d\n", d * 2, mark());
    printf("after: y %p, mark's local %p\n", (void *) &y, (void *) at);
    return y;
}

/* mallinfo2's result goes straight into the variable; a member of a returned struct is read from a
 * temporary of the frame, placed before the declared variables */
struct big { long a, b, c; };

struct big make(long v) {
    struct big b = {v, v * 2, v * 3};
    return b;
}

void returned(void) {
    struct mallinfo2 mi = mallinfo2();
    char c = 'c';
    long b = make(2).b + mark();
    size_t arena = mallinfo2().arena;
    printf("returned: mi %p c %p, arena %zu %zu, b %ld, mark's local %p\n", (void *) &mi, (void *) &c, mi.arena,
           arena, b, (void *) at);
}

int main(void) {
    long y = only_leaf(1);
    printf("only_leaf: y %p, mark's local %p\n", (void *) y, (void *) at);
    y = two_deep(2);
    printf("two_deep: only_leaf's y %p, mark's local %p\n", (void *) y, (void *) at);
    y = leaf16(3);
    printf("leaf16: y %p, mark16's array %p\n", (void *) y, (void *) at);
    y = calls_later(4);
    printf("calls_later: y %p, later's local %p\n", (void *) y, (void *) at);
    y = held(5);
    printf("held: y %p, mark's local %p\n", (void *) y, (void *) at);
    double d = 1.25;
    printf("%f\n", spill(d));
    printf("%f\n", spill2(7, d, 0.5f));
    printf("%f\n", spill3(&d));
    printf("%f\n", spillf(2.5f, 'x'));
    printf("%d\n", in_xmm0(d, 6));
    printf("%d\n", after(d));
    void *p = malloc(100);
    returned();
    free(p);
    return 0;
}
