/* fseek and ftell on a read stream as glibc 2.36 does them: inside the buffer only the read pointer
 * moves; elsewhere a block-aligned lseek and a read; the FILE's fields after each step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void show(const char *what, FILE *f) {
    long *w = (long *) f;
    printf("%-22s flags %08x rptr %lx rend %lx rbase %lx wbase %lx wptr %lx wend %lx buf %lx-%lx off %ld old %ld\n",
           what, *(unsigned int *) f, w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[18], w[15]);
}

int main(void) {
    FILE *out = fopen("seek.txt", "w");
    for (int i = 0; i < 10000; i++) {
        fputc('a' + i % 26, out);
    }
    fclose(out);

    FILE *f = fopen("seek.txt", "r");
    show("opened", f);
    fseek(f, 10, SEEK_SET); /* before any read: the buffer is made, the block read */
    show("seek 10 first", f);
    printf("c=%c tell=%ld\n", fgetc(f), ftell(f));
    show("after fgetc", f);
    fseek(f, 100, SEEK_SET); /* inside the buffer */
    show("seek 100 inside", f);
    printf("c=%c tell=%ld\n", fgetc(f), ftell(f));
    fseek(f, -50, SEEK_CUR); /* back inside */
    show("seek -50 cur", f);
    printf("c=%c tell=%ld\n", fgetc(f), ftell(f));
    fseek(f, 5000, SEEK_SET); /* outside: lseek to 4096, read */
    show("seek 5000 outside", f);
    printf("c=%c tell=%ld\n", fgetc(f), ftell(f));
    fseek(f, 4096, SEEK_SET); /* the new buffer's first byte */
    show("seek 4096", f);
    printf("c=%c tell=%ld\n", fgetc(f), ftell(f));
    fseek(f, -10, SEEK_END);
    show("seek -10 end", f);
    printf("c=%c tell=%ld\n", fgetc(f), ftell(f));
    char line[64];
    printf("rest=%s\n", fgets(line, sizeof line, f));
    printf("eof=%d c=%d\n", feof(f), fgetc(f));
    show("at eof", f);
    fseek(f, 9995, SEEK_SET); /* inside the last buffer again: clears EOF */
    show("seek 9995", f);
    printf("eof=%d c=%c\n", feof(f), fgetc(f));
    rewind(f);
    show("rewind", f);
    printf("c=%c tell=%ld\n", fgetc(f), ftell(f));
    fflush(f); /* a reader's sync: the offset forgotten */
    show("fflush", f);
    fseek(f, 3, SEEK_CUR);
    show("seek 3 cur after flush", f);
    printf("c=%c tell=%ld\n", fgetc(f), ftell(f));
    void *p = malloc(24);
    printf("malloc %p\n", p);
    fclose(f);

    /* a read-write stream: writes, then a seek back into what was written */
    FILE *g = fopen("seek.txt", "r+");
    fputs("HELLO", g);
    show("r+ wrote", g);
    fseek(g, 1, SEEK_SET);
    show("r+ seek 1", g);
    printf("c=%c tell=%ld\n", fgetc(g), ftell(g));
    fseek(g, 2, SEEK_CUR);
    show("r+ seek 2 cur", g);
    printf("c=%c tell=%ld\n", fgetc(g), ftell(g));
    fputs("xy", g);
    show("r+ wrote again", g);
    fseek(g, 0, SEEK_SET);
    printf("line=%.12s\n", fgets(line, sizeof line, g));
    fclose(g);

    /* a write-only stream: seeks write out and move the descriptor */
    FILE *h = fopen("seek.txt", "w");
    fputs("0123456789", h);
    fseek(h, 2, SEEK_SET);
    show("w seek 2", h);
    fputs("ab", h);
    show("w wrote", h);
    printf("tell=%ld\n", ftell(h));
    fclose(h);
    h = fopen("seek.txt", "r");
    printf("file=%s\n", fgets(line, sizeof line, h));
    fclose(h);
    remove("seek.txt");
    return 0;
}
