/* read(2) of descriptor 0 hands over what the input has ready, up to the count: a file's next bytes,
 * what a pipe holds (lines and all); stdio's first read takes a whole buffer's worth, so a read(2)
 * after it gets what follows. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char buf[64];
    ssize_t n = read(0, buf, 10);
    printf("read %zd: %.*s|\n", n, (int) n, buf);
    n = read(0, buf, sizeof buf);
    printf("read %zd: %.*s|\n", n, (int) n, buf);
    int c = getchar();
    printf("getchar %c\n", c);
    long *w = (long *) stdin;
    printf("buffered %ld\n", w[2] - w[1]);
    n = read(0, buf, 16);
    printf("read %zd: %.*s|\n", n, (int) n, buf);
    return 0;
}
