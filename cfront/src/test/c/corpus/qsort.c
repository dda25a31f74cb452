/* qsort as glibc 2.36's merge sort: which elements each comparison gets, in which order and how many
 * times, for ints, longs, doubles, 12-, 16-, 24-byte records, chars, a misaligned array, and records
 * over 32 bytes (sorted through pointers, then moved by cycles), stable for equal keys; the temporary
 * array on the stack under 1024 bytes, malloc'ed (then freed) from there on: the heap shows it; the
 * comparison function's frame where glibc's recursion puts it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base;
static size_t width;
static unsigned long trace;
static int calls;
static int verbose;

static void note(const void *a, const void *b) {
    long i = ((const char *) a - base) / (long) width;
    long j = ((const char *) b - base) / (long) width;
    trace = trace * 1000003 + (unsigned long) (i * 131 + j);
    calls++;
    if (verbose) {
        printf(" %ld:%ld", i, j);
    }
}

static int by_int(const void *a, const void *b) {
    note(a, b);
    int x = *(const int *) a, y = *(const int *) b;
    return (x > y) - (x < y);
}

static int by_long(const void *a, const void *b) {
    note(a, b);
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

static int by_double(const void *a, const void *b) {
    note(a, b);
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static int by_char(const void *a, const void *b) {
    note(a, b);
    return *(const char *) a - *(const char *) b;
}

/* records of any width, keyed by their first int */
static int by_key(const void *a, const void *b) {
    note(a, b);
    return *(const int *) a / 10 - *(const int *) b / 10;
}

static char *frames[64];
static int nframes;

static int by_int_frames(const void *a, const void *b) {
    int local = 0;
    if (nframes < 64) {
        frames[nframes++] = (char *) &local;
    }
    return *(const int *) a - *(const int *) b + local;
}

static void sorted(const char *what, void *arr, size_t n, size_t size, int (*cmp)(const void *, const void *),
                   int show) {
    base = arr;
    width = size;
    trace = 0;
    calls = 0;
    verbose = show;
    if (show) {
        printf("%s:", what);
    }
    qsort(arr, n, size, cmp);
    if (show) {
        printf("\n");
    }
    unsigned long sum = 0;
    for (size_t i = 0; i < n * size; i++) {
        sum = sum * 31 + ((unsigned char *) arr)[i];
    }
    printf("%-22s n %4zu size %2zu: %5d calls, trace %016lx, bytes %016lx\n", what, n, size, calls, trace, sum);
}

static unsigned next = 12345;
static int rnd(void) {
    next = next * 1103515245 + 12345;
    return (int) (next >> 16) % 1000;
}

struct rec12 { int key; int a, b; };
struct rec16 { int key; int pad; long v; };
struct rec24 { int key; char name[20]; };
struct rec40 { int key; char name[36]; };

int main(void) {
    int ints[300];
    long longs[100];
    double doubles[100];
    char chars[64];
    struct rec12 r12[100];
    struct rec16 r16[100];
    struct rec24 r24[50];
    struct rec40 r40[120];
    static long misaligned[40];
    memset(r24, 0, sizeof r24); /* the names' bytes after their NUL are sorted too */
    memset(r40, 0, sizeof r40);
    for (int i = 0; i < 300; i++) ints[i] = rnd();
    sorted("ints, 7", ints, 7, sizeof(int), by_int, 1);
    sorted("ints, 16", ints + 7, 16, sizeof(int), by_int, 1);
    sorted("ints, 0", ints, 0, sizeof(int), by_int, 1);
    sorted("ints, 1", ints, 1, sizeof(int), by_int, 1);
    for (int i = 0; i < 300; i++) ints[i] = rnd();
    char *before = malloc(24);
    sorted("ints, 300 (malloc)", ints, 300, sizeof(int), by_int, 0);
    char *after = malloc(24);
    printf("heap around it: %p %p\n", (void *) before, (void *) after);
    for (int i = 0; i < 100; i++) longs[i] = rnd() - 500;
    sorted("longs", longs, 100, sizeof(long), by_long, 0);
    for (int i = 0; i < 100; i++) doubles[i] = rnd() / 7.0;
    sorted("doubles, 20", doubles, 20, sizeof(double), by_double, 1);
    sorted("doubles, 100", doubles, 100, sizeof(double), by_double, 0);
    for (int i = 0; i < 64; i++) chars[i] = (char) ('a' + rnd() % 26);
    sorted("chars", chars, 64, 1, by_char, 0);
    printf("  %.64s\n", chars);
    for (int i = 0; i < 100; i++) {
        r12[i].key = rnd();
        r12[i].a = i;
        r12[i].b = -i;
        r16[i].key = rnd();
        r16[i].pad = 0;
        r16[i].v = i;
    }
    sorted("rec12 (stable keys)", r12, 100, sizeof r12[0], by_key, 0);
    for (int i = 0; i < 10; i++) printf(" %d/%d", r12[i].key, r12[i].a);
    printf("\n");
    sorted("rec16", r16, 100, sizeof r16[0], by_key, 0);
    for (int i = 0; i < 50; i++) {
        r24[i].key = rnd();
        snprintf(r24[i].name, sizeof r24[i].name, "r%d", i);
    }
    sorted("rec24, 30", r24, 30, sizeof r24[0], by_key, 1);
    sorted("rec24, 50 (malloc)", r24, 50, sizeof r24[0], by_key, 0);
    for (int i = 0; i < 120; i++) {
        r40[i].key = rnd();
        snprintf(r40[i].name, sizeof r40[i].name, "record %d", i);
    }
    sorted("rec40, 9 (pointers)", r40, 9, sizeof r40[0], by_key, 1);
    for (int i = 0; i < 9; i++) printf(" %d:%s", r40[i].key, r40[i].name);
    printf("\n");
    char *b2 = malloc(24);
    sorted("rec40, 120 (malloc)", r40, 120, sizeof r40[0], by_key, 0);
    char *a2 = malloc(24);
    printf("heap around it: %p %p\n", (void *) b2, (void *) a2);
    for (int i = 0; i < 40; i++) misaligned[i] = rnd();
    sorted("longs, misaligned", (char *) misaligned + 4, 30, sizeof(long), by_long, 0);
    int local = 0;
    for (int i = 0; i < 16; i++) ints[i] = rnd();
    qsort(ints, 16, sizeof(int), by_int_frames);
    printf("frames below main's local %p:", (void *) &local);
    for (int i = 0; i < nframes; i++) printf(" %ld", (long) ((char *) &local - frames[i]));
    printf("\n");
    nframes = 0;
    for (int i = 0; i < 300; i++) ints[i] = rnd();
    qsort(ints, 300, sizeof(int), by_int_frames);
    printf("with malloc:");
    for (int i = 0; i < 12; i++) printf(" %ld", (long) ((char *) &local - frames[i]));
    printf("\n");
    free(before);
    free(after);
    free(b2);
    free(a2);
    return 0;
}
