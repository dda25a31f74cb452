/* stdio on files: the FILE and its buffer in the heap where and when glibc puts them (fopen mallocs
 * the 0x1d8-byte FILE, the first read or write the 4096-byte buffer, fclose frees the buffer then the
 * FILE), the FILE's fields as gdb shows them, reads and writes through the buffer, positions,
 * strerror and perror, and exit() writing out what an unclosed stream holds (_exit losing it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/wait.h>

static void fields(const char *what, FILE *f) {
    unsigned long *w = (unsigned long *) f;
    printf("%s: flags %#x fileno %d mode %d chain %#lx lock %#lx\n", what, *(unsigned *) f, *(int *) (w + 14),
           *(int *) ((char *) f + 0xc0), w[13], w[17]);
    printf("  read %#lx %#lx %#lx write %#lx %#lx %#lx buf %#lx %#lx\n", w[1], w[2], w[3], w[4], w[5], w[6], w[7],
           w[8]);
}

int main(void) {
    setbuf(stdout, NULL);
    char *before = malloc(24);
    FILE *w = fopen("stdio_files.txt", "w");
    char *after = malloc(24);
    printf("before %p FILE %p after %p\n", (void *) before, (void *) w, (void *) after);
    fields("opened for writing", w);
    fprintf(w, "first line %d\n", 1);
    char *next = malloc(24);
    printf("the buffer came with the first write: next malloc %p; ftell %ld\n", (void *) next, ftell(w));
    fields("written", w);
    fputs("second line\n", w);
    fputc('3', w);
    fputc('\n', w);
    char big[5000];
    for (int i = 0; i < (int) sizeof big; i++) {
        big[i] = 'a' + i % 26;
    }
    big[sizeof big - 1] = '\n';
    size_t put = fwrite(big, 1, sizeof big, w);
    printf("fwrite %zu; ftell %ld\n", put, ftell(w));
    printf("fclose %d\n", fclose(w));
    char *reuse = malloc(4000);
    char *small = malloc(0x1c0);
    printf("after fclose: %p %p\n", (void *) reuse, (void *) small);

    FILE *none = fopen("no/such/file", "r");
    printf("fopen of a missing file: %p, errno %d: %s\n", (void *) none, errno, strerror(errno));
    perror("fopen");
    char *again = malloc(0x1c0);
    printf("the failed fopen freed its FILE: %p\n", (void *) again);

    FILE *r = fopen("stdio_files.txt", "r");
    char line[64];
    char *got = fgets(line, sizeof line, r);
    printf("FILE %p fgets %s: %s", (void *) r, got == line ? "line" : "NULL", line);
    fields("read a line", r);
    printf("fgetc '%c' ftell %ld feof %d\n", fgetc(r), ftell(r), feof(r));
    fgets(line, sizeof line, r);
    printf("then: %s", line);
    char chunk[4100];
    size_t n = fread(chunk, 1, sizeof chunk, r);
    printf("fread %zu: %.5s...%.3s; ftell %ld\n", n, chunk, chunk + n - 3, ftell(r));
    n = fread(chunk, 1, sizeof chunk, r);
    printf("fread %zu more; feof %d ferror %d\n", n, feof(r), ferror(r));
    fields("at the end", r);
    fseek(r, 11, SEEK_SET);
    int one = 0;
    fscanf(r, "%d", &one);
    printf("fseek 11, fscanf %d; ftell %ld; feof %d\n", one, ftell(r), feof(r));
    fseek(r, -6, SEEK_END);
    printf("SEEK_END -6: \"%s\"", fgets(line, sizeof line, r));
    rewind(r);
    printf("rewind: ftell %ld fgetc '%c'\n", ftell(r), fgetc(r));
    fclose(r);

    FILE *a = fopen("stdio_files.txt", "a+");
    fields("opened to append", a);
    fputs("appended\n", a);
    fseek(a, 0, SEEK_SET);
    fgets(line, sizeof line, a);
    printf("a+ reads from the start: %s", line);
    fclose(a);

    FILE *kept = fopen("stdio_kept.txt", "w");
    FILE *lost = fopen("stdio_lost.txt", "w");
    fputs("written out by exit\n", kept);
    fputs("lost by _exit\n", lost);
    pid_t pid = fork();
    if (pid == 0) {
        fclose(lost);
        exit(0); /* exit writes out what kept's buffer holds */
    }
    waitpid(pid, NULL, 0);
    pid = fork();
    if (pid == 0) {
        _exit(0); /* _exit loses both buffers */
    }
    waitpid(pid, NULL, 0);
    fclose(lost);
    FILE *check = fopen("stdio_kept.txt", "r");
    while (fgets(line, sizeof line, check)) {
        printf("kept: %s", line);
    }
    fclose(check);
    check = fopen("stdio_lost.txt", "r");
    while (fgets(line, sizeof line, check)) {
        printf("lost: %s", line);
    }
    fclose(check);
    remove("stdio_files.txt");
    remove("stdio_kept.txt");
    remove("stdio_lost.txt");
    printf("removed: %p\n", (void *) fopen("stdio_files.txt", "r"));
    return 0;
}
