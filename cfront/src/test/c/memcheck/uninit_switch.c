/* memcheck under the C front end against Valgrind: switches on values never written. A switch gcc
   compiles to one compare jumps once on the value; one it compiles to a jump table (five cases or
   more, close together) jumps on the bounds check, then loads the target at an address made from the
   value: Valgrind's "Use of uninitialised value of size 8" too. Consecutive labels on one statement
   are one case range. */
#include <stdio.h>
#include <stdlib.h>

static const char *name(int day) {
    switch (day) {
    case 0:
        return "sunday";
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
        return "weekday";
    case 6:
        return "saturday";
    }
    return "?";
}

static int weight(int grade) {
    switch (grade) {
    case 0:
        return 10;
    case 1:
        return 20;
    case 2:
        return 30;
    case 3:
        return 40;
    case 4:
        return 50;
    case 5:
        return 60;
    default:
        return 0;
    }
}

int main(void) {
    int *fresh = malloc(3 * sizeof(int));
    puts(name(fresh[0]));
    printf("%s\n", weight(fresh[1]) > 20 ? "heavy" : "light");
    switch (fresh[2]) {
    case 7:
        puts("seven");
        break;
    default:
        puts("other");
    }
    free(fresh);
    return 0;
}
