/* A variable-length array of fixed-size rows (int a[n][4]): one variable dimension, laid out as a
 * one-dimensional variable-length array of arrays; indexing, sizeof of the array and of a row, a
 * pointer to a row. */
#include <stdio.h>

static void rows(int n) {
    int before = 1;
    long a[n][4];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < 4; j++) {
            a[i][j] = i * 10 + j;
        }
    }
    printf("rows(%d): &before %p a %p a[1] %p &a[2][3] %p sizeof %zu row %zu a[2][3] %ld\n", n, (void *) &before,
           (void *) a, (void *) a[1], (void *) &a[2][3], sizeof a, sizeof a[0], a[2][3]);
    long (*p)[4] = a + 1;
    printf("p %p p[1][1] %ld\n", (void *) p, p[1][1]);
}

int main(void) {
    rows(3);
    rows(5);
    return 0;
}
