/* Structs passed and returned by value: in registers up to 16 bytes (the callee keeps them in its
 * frame), on the stack above the return address beyond that, returned through registers or the
 * caller's memory; the frames' addresses as gcc -O0 lays them out. */
#include <stdio.h>
#include <stdlib.h>

struct pt { int x, y; };
struct small { long a; int b; };
struct dd { double a, b; };
struct big { long x[4]; };

static struct pt mkpt(int x, int y) { struct pt p; p.x = x; p.y = y; return p; }
static struct small mksmall(long a, int b) { struct small s = {a, b}; return s; }
static struct big mkbig(long v) {
    struct big b;
    for (int i = 0; i < 4; i++) b.x[i] = v + i;
    return b;
}
static long leafsmall(int k, struct small s, int j) { return s.a + s.b + k + j; }
static double leafdd(struct dd d) { return d.a * d.b; }
static long usebig(int k, struct big b, struct pt p) {
    printf("usebig: &k %p &b %p &p %p\n", (void *) &k, (void *) &b, (void *) &p);
    b.x[0] = 99; /* the callee's copy */
    return b.x[0] + b.x[3] + k + p.y;
}
static struct big twice(struct big b) {
    struct big r;
    for (int i = 0; i < 4; i++) r.x[i] = 2 * b.x[i];
    printf("twice: &b %p &r %p\n", (void *) &b, (void *) &r);
    return r;
}

int main(void) {
    setbuf(stdout, NULL);
    struct pt p = mkpt(3, 4);
    struct small s = mksmall(10, 20);
    struct big b = mkbig(100);
    struct dd d = {1.5, 4.0};
    printf("main: &p %p &s %p &b %p &d %p\n", (void *) &p, (void *) &s, (void *) &b, (void *) &d);
    long r1 = leafsmall(1, s, 2);
    double r2 = leafdd(d);
    long r3 = usebig(5, b, p);
    printf("%ld %.2f %ld b.x[0] still %ld\n", r1, r2, r3, b.x[0]);
    b = twice(b);
    printf("twice: %ld %ld %ld %ld\n", b.x[0], b.x[1], b.x[2], b.x[3]);
    long y = mkpt(7, 8).y;
    y += mksmall(1, 2).b;
    struct pt q;
    q = mkpt(p.y, p.x);
    printf("y %ld q %d %d\n", y, q.x, q.y);
    struct small *heap = malloc(sizeof *heap);
    *heap = mksmall(0x41, 0x42);
    printf("heap %p: %lx %x\n", (void *) heap, heap->a, heap->b);
    free(heap);
    return 0;
}
