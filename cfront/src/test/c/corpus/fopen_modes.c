/* fopen's mode as glibc 2.36 reads it: 'x' is O_EXCL, also after a ',' (an existing file: NULL, EEXIST,
 * the file kept; the FILE malloc'ed and freed), 'e' O_CLOEXEC, 'c', 'b' and unknown letters, '+' only within
 * the first seven characters, a bad first letter EINVAL. _flags and _flags2 as the FILE holds them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void show(const char *path, const char *mode) {
    errno = 0;
    FILE *f = fopen(path, mode);
    if (f == NULL) {
        printf("%-9s NULL errno %d (%s)\n", mode, errno, strerror(errno));
        return;
    }
    printf("%-9s %p _flags %#x _flags2 %#x fd %d\n", mode, (void *) f, *(int *) f, *(int *) ((char *) f + 0x74),
           fileno(f));
    char b[8];
    size_t n = fread(b, 1, 4, f);
    void *p = malloc(16);
    printf("          read %zu, then malloc(16) %p\n", n, p);
    free(p);
    fclose(f);
}

int main(void) {
    setbuf(stdout, NULL);
    FILE *w = fopen("fopen_modes.txt", "w");
    fputs("hello", w);
    fclose(w);
    const char *modes[] = {"wx", "w,x", "wb,x", "a,x", "w+x", "ax", "wbx", "rx", "r", "rb", "re", "rc", "r+b", "rz", "rbbbbbb+", "rbbbbb+",
                           "x", "", "a+e", "r+m", "am", NULL};
    for (int i = 0; modes[i] != NULL; i++) {
        show("fopen_modes.txt", modes[i]);
    }
    FILE *r = fopen("fopen_modes.txt", "r");
    char b[16] = {0};
    printf("kept: %zu \"%s\"\n", fread(b, 1, 15, r), b);
    fclose(r);
    show("fopen_modes.txt", "we");
    remove("fopen_modes.txt");
    show("fopen_modes.txt", "wx");
    show("fopen_modes.txt", "wx");
    remove("fopen_modes.txt");
    show("no_such_dir/x", "r,ccs=UTF-8"); /* not modelled, but glibc opens first: ENOENT */
    show("no_such_dir/x", "rm");
    return 0;
}
