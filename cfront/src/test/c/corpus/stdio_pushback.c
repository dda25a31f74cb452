/* More of glibc 2.36's stdio on files: pushing back more than the 128-byte backup area holds (it is
 * doubled), fread and fscanf across pushed-back bytes, fseek from inside the pushback area, reading
 * through a small buffer of the program's, and ftell of an append stream with unflushed writes. */
#include <stdio.h>
#include <stdlib.h>

static void show(const char *what, FILE *f) {
    long *w = (long *) f;
    printf("%-12s flags %08x r %lx %lx %lx w %lx %lx %lx buf %lx-%lx save %lx %lx %lx off %ld\n",
           what, *(unsigned int *) f, w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[18]);
}

int main(void) {
    FILE *w = fopen("p.txt", "w");
    fprintf(w, "12 34 abc\n%d\n", 5678);
    for (int i = 0; i < 300; i++) {
        fputc('A' + i % 26, w);
    }
    fclose(w);

    FILE *f = fopen("p.txt", "r");
    int a, b;
    printf("scanned %d: ", fscanf(f, "%d", &a));
    printf("%d\n", a);
    show("scanned", f);
    for (int i = 0; i < 200; i++) {
        if (ungetc('a' + i % 26, f) == EOF) {
            printf("ungetc failed at %d\n", i);
        }
    }
    show("200 back", f);
    printf("tell=%ld\n", ftell(f));
    char buf[300];
    size_t n = fread(buf, 1, 210, f);
    printf("fread %zu: %.12s ... %.10s\n", n, buf, buf + 200);
    show("fread", f);
    printf("scanned %d: ", fscanf(f, "%d", &b));
    printf("%d\n", b);
    ungetc('Z', f);
    ungetc('Y', f);
    fseek(f, 2, SEEK_CUR); /* from inside the pushback area */
    show("seek cur", f);
    printf("c=%c tell=%ld\n", fgetc(f), ftell(f));
    void *p = malloc(200);
    printf("malloc %p\n", p);
    fclose(f);

    static char mine[16];
    f = fopen("p.txt", "r");
    setvbuf(f, mine, _IOFBF, sizeof mine);
    char line[64];
    printf("line=%s", fgets(line, sizeof line, f));
    show("small buf", f);
    fseek(f, 20, SEEK_SET);
    show("seek 20", f);
    printf("c=%c\n", fgetc(f));
    fclose(f);

    FILE *ap = fopen("p.txt", "a+");
    fputs("more", ap);
    printf("tell=%ld\n", ftell(ap));
    show("a+ wrote", ap);
    fseek(ap, 0, SEEK_SET);
    printf("first=%c\n", fgetc(ap));
    show("a+ read", ap);
    fputs("!", ap);
    fclose(ap);
    f = fopen("p.txt", "r");
    fseek(f, -6, SEEK_END);
    printf("end=%s\n", fgets(line, sizeof line, f));
    fclose(f);
    remove("p.txt");
    void *q = malloc(200);
    printf("malloc %p\n", q);
    return 0;
}
