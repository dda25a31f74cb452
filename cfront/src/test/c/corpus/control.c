/* Statements with C's semantics: switch with fall-through, goto, do-while, break/continue, the comma and ternary operators, static locals and recursion. */
#include <stdio.h>
#include <stdlib.h>

static int fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static int counter(void) {
    static int calls;
    return ++calls;
}

enum color { RED, GREEN = 5, BLUE };

const char *name(enum color c) {
    switch (c) {
    case RED:
        return "red";
    case GREEN:
    case BLUE:
        return c == GREEN ? "green" : "blue";
    default:
        return "?";
    }
}

int main(void) {
    int total = 0;
    for (int i = 0; i < 10; i++) {
        switch (i % 4) {
        case 0:
            total += 1;
        case 1:
            total += 10;
            break;
        case 2:
            continue;
        default:
            total += 100;
        }
        total += 1000;
    }
    printf("total %d\n", total);
    int n = 0;
    do {
        n += 3;
    } while (n < 10);
    int a = (n++, n * 2);
    printf("n %d a %d\n", n, a);
    int tries = 0;
again:
    tries++;
    if (tries < 3) {
        goto again;
    }
    printf("tries %d fib %d\n", tries, fib(15));
    printf("calls %d %d %d\n", counter(), counter(), counter());
    printf("%s %s %s %d\n", name(RED), name(GREEN), name(BLUE), BLUE);
    int x = 0;
    while (1) {
        if (++x > 4) {
            break;
        }
    }
    printf("x %d %s\n", x, x > 3 && x < 10 ? "in" : "out");
    return total % 256;
}
