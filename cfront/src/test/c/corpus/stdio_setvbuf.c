/* setvbuf, setbuf and ungetc on streams fopen made, as glibc 2.36 does them: a user buffer is used
 * and never freed (no heap buffer), _IONBF reads and writes a byte at a time through _shortbuf,
 * _IOLBF writes out at each newline, ungetc of the byte just read moves the pointer back and of any
 * other byte mallocs a 128-byte backup area; the FILE's fields and the heap after each step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void show(const char *what, FILE *f) {
    long *w = (long *) f;
    printf("%-16s flags %08x r %lx %lx %lx w %lx %lx %lx buf %lx-%lx save %lx %lx %lx off %ld\n",
           what, *(unsigned int *) f, w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[18]);
}

static char user[64];
static char big[BUFSIZ];

int main(void) {
    FILE *out = fopen("v.txt", "w");
    setvbuf(out, user, _IOFBF, sizeof user); /* the program's buffer: nothing malloc'ed */
    show("w user", out);
    fputs("line one\nline two\n", out);
    show("w wrote", out);
    void *a = malloc(24);
    printf("malloc %p\n", a);
    for (int i = 0; i < 10; i++) {
        fputs("0123456789", out); /* past the 64 bytes: written out in blocks */
    }
    show("w wrote 100", out);
    fclose(out); /* frees the FILE only */
    void *b = malloc(0x1d0);
    printf("malloc %p (the FILE again)\n", b);
    free(b);

    FILE *nb = fopen("v.txt", "a");
    setvbuf(nb, NULL, _IONBF, 0);
    show("a unbuffered", nb);
    fputs("tail\n", nb);
    fputc('!', nb);
    show("a wrote", nb);
    fclose(nb);

    FILE *lb = fopen("v.txt", "a");
    setvbuf(lb, NULL, _IOLBF, 0);
    show("a linebuf", lb);
    fputs("ab", lb);
    show("a no newline", lb);
    fputs("c\nde", lb);
    show("a newline", lb);
    fclose(lb);

    FILE *fb = fopen("v.txt", "r");
    setvbuf(fb, NULL, _IOFBF, 0); /* full buffering asked for: the buffer is made now */
    show("r full null", fb);
    printf("c=%c\n", fgetc(fb));
    fclose(fb);

    FILE *r = fopen("v.txt", "r");
    setbuf(r, big); /* BUFSIZ bytes of the program's */
    printf("c=%c\n", fgetc(r));
    show("r setbuf", r);
    fclose(r);

    r = fopen("v.txt", "r");
    setbuf(r, NULL);
    show("r setbuf NULL", r);
    printf("c=%c ", fgetc(r));
    printf("c=%c\n", fgetc(r));
    show("r unbuffered", r);
    printf("ungetc=%c ", ungetc('i', r)); /* the byte just read: the pointer moves back */
    show("r ungetc same", r);
    printf("c=%c tell=%ld\n", fgetc(r), ftell(r));
    printf("ungetc=%c\n", ungetc('X', r)); /* another byte: the backup area */
    show("r ungetc other", r);
    printf("c=%c ", fgetc(r));
    printf("c=%c\n", fgetc(r));
    show("r after", r);
    fclose(r);

    r = fopen("v.txt", "r");
    printf("ungetc=%c\n", ungetc('Q', r)); /* before any read */
    show("ungetc first", r);
    printf("ungetc=%c\n", ungetc('R', r));
    printf("tell=%ld\n", ftell(r));
    char line[32];
    printf("line=%s", fgets(line, sizeof line, r));
    show("read line", r);
    printf("ungetc=%c\n", ungetc('\n', r)); /* the byte just read */
    show("ungetc newline", r);
    printf("ungetc=%c\n", ungetc('Z', r));
    show("ungetc Z", r);
    printf("ungetc EOF=%d\n", ungetc(EOF, r));
    printf("c=%c c=%c\n", fgetc(r), fgetc(r));
    printf("tell=%ld\n", ftell(r));
    fseek(r, 0, SEEK_SET);
    show("seek", r);
    void *c = malloc(120);
    printf("malloc %p\n", c);
    fclose(r);
    void *d = malloc(120);
    printf("malloc %p\n", d);
    remove("v.txt");
    return 0;
}
