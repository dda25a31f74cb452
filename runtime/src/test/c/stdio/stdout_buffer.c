/*
 * What glibc's stdout buffer holds after each write, as gdb would show it: after each step, one line on
 * stderr with the write pointer's offset from the buffer's base and the buffer's first bytes up to the
 * highest offset written so far (unprintable bytes as '.'). Steps are given as arguments: "p:TEXT" prints
 * TEXT with printf("%s"), "n" prints a newline, "f" is fflush(stdout), "x:N" prints N 'x's. Run with stdout
 * on a pipe (fully buffered, st_blksize bytes) or a terminal (line buffered, 1024 bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t high;

static void show(const char *step) {
    size_t pos = (size_t) (stdout->_IO_write_ptr - stdout->_IO_write_base);
    size_t size = (size_t) (stdout->_IO_buf_end - stdout->_IO_buf_base);
    if (pos > high) {
        high = pos;
    }
    fprintf(stderr, "%s: size=%zu pos=%zu [", step, size, pos);
    for (size_t i = 0; i < high && stdout->_IO_buf_base != NULL; i++) {
        char c = stdout->_IO_buf_base[i];
        fputc(c >= 0x20 && c < 0x7f ? c : '.', stderr);
    }
    fputs("]\n", stderr);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "p:", 2) == 0) {
            printf("%s", a + 2);
        } else if (strcmp(a, "n") == 0) {
            printf("\n");
        } else if (strcmp(a, "f") == 0) {
            fflush(stdout);
        } else if (strncmp(a, "x:", 2) == 0) {
            int n = atoi(a + 2);
            char *s = malloc(n + 1);
            memset(s, 'x', n);
            s[n] = 0;
            printf("%s", s);
            free(s);
        }
        show(a);
    }
    return 0;
}
