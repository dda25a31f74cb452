/* Functions where gcc -O0 keeps a value in a callee-saved register across a call (pushed after
 * rbp, moving the locals down): the addresses of their locals, parameters and callees' frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

int g = 5;

int where(const char *who, void *a) {
    int here;
    printf("%s %p (callee's local %p)\n", who, a, (void *) &here);
    return 1;
}

/* one register, no 16-aligned local */
int one(int x) {
    int y = x * 100 + where("one.x", &x);
    printf("one: y %p = %d\n", (void *) &y, y);
    return y;
}

/* one register, a 16-aligned array */
int one_array(int x) {
    char buf[32];
    int y = x * 3 + where("one_array.buf", buf);
    printf("one_array: y %p x %p\n", (void *) &y, (void *) &x);
    return y;
}

/* two registers and a long */
long two(long l) {
    long z = 7;
    long r = l * 2 + (l * 3 + where("two.z", &z));
    printf("two: r %p l %p\n", (void *) &r, (void *) &l);
    return r + z;
}

/* three registers */
int three(int x) {
    char c = 'a';
    int r = x * 2 + (x * 3 + (x * 4 + where("three.c", &c)));
    printf("three: r %p\n", (void *) &r);
    return r;
}

/* five (the most gcc uses), with a 16-aligned array */
int five(int x) {
    long a[4] = {1, 2, 3, 4};
    int r = x * 2 + (x * 3 + (x * 4 + (x * 5 + (x * 6 + where("five.a", a)))));
    printf("five: r %p x %p\n", (void *) &r, (void *) &x);
    return r;
}

/* an element's address computed before malloc: ptrs + i is kept in rbx */
void fill(void **ptrs, int n) {
    int i;
    for (i = 0; i < n; i++) {
        ptrs[i] = malloc(16 + i);
    }
    printf("fill: i %p ptrs %p n %p\n", (void *) &i, (void *) &ptrs, (void *) &n);
    where("fill.i", &i);
}

/* a global read before the call: g's value is held */
int global_first(int x) {
    int y = g - where("global_first.x", &x);
    printf("global_first: y %p\n", (void *) &y);
    return y;
}

/* no register: a variable operand is folded to come after the call */
int none(int x) {
    int y = x + where("none.x", &x);
    printf("none: y %p\n", (void *) &y);
    return y;
}

/* no value held across a call, but a printf of eleven loaded values and a variable: more than the
 * nine caller-saved registers, so three callee-saved ones are pushed */
void many(long *w, const char *what) {
    long here = 1;
    printf("%s %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %p\n", what, w[0], w[1], w[2], w[3], w[4], w[5], w[6],
           w[7], w[8], w[9], w[10], (void *) &here);
    where("many.here", &here);
}

/* two inlined strcpys of literals that start with the same 8 bytes, a call between: gcc keeps the
 * 8-byte constant in rbx to store it again */
void same_start(char *a, char *b) {
    long here = 2;
    strcpy(a, "this is A!");
    puts(a);
    strcpy(b, "this is B!");
    printf("same_start: here %p %s\n", (void *) &here, b);
}

int main(void) {
    int x = 3;
    void *ptrs[3];
    printf("%d\n", one(2));
    printf("%d\n", one_array(2));
    printf("%ld\n", two(2));
    printf("%d\n", three(2));
    printf("%d\n", five(2));
    fill(ptrs, 3);
    printf("%p %p %p\n", ptrs[0], ptrs[1], ptrs[2]);
    printf("%d\n", global_first(1));
    printf("%d\n", none(1));
    long w[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    many(w, "many");
    char sa[16], sb[16];
    same_start(sa, sb);
    /* main itself holds x*100 across fork(); the child reports first, the parent after waiting */
    int r = x * 100 + (fork() == 0 ? 1 : 2);
    if (r == 302) {
        wait(NULL);
    }
    printf("r=%d at %p x at %p ptrs at %p\n", r, (void *) &r, (void *) &x, (void *) ptrs);
    where(r == 301 ? "child" : "parent", &r);
    return 0;
}
