/* Everyday floating-point code around calls: averages, ratios and percentages of heap chunk sizes,
 * with values held across malloc, the program's own helpers and printf; each helper says where its
 * local is, so every frame's size is checked against gcc's. */
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>

static long where;

static size_t usable(void *p) {
    size_t n = malloc_usable_size(p);
    where = (long) &n;
    return n;
}

static double ratio(size_t a, size_t b) {
    double r = (double) a / (double) b;
    where = (long) &r;
    return r;
}

static float scale(float x) {
    float y = x * 1.5f;
    where = (long) &y;
    return y;
}

int main(void) {
    void *p[6];
    double total = 0, weighted = 0;
    for (int i = 0; i < 6; i++) {
        p[i] = malloc(24 + 40 * i);
        total += usable(p[i]);
        weighted = weighted * 0.5 + ratio(usable(p[i]), 24 + 40 * i);
        printf("%d: usable %zu helper's local %p\n", i, usable(p[i]), (void *) where);
    }
    double mean = total / 6;
    printf("mean %.3f weighted %.3f (%p)\n", mean, weighted * 2 + ratio(1, 3), (void *) where);
    float f = scale(mean) + scale((float) weighted);
    printf("scaled %.3f (%p)\n", f, (void *) where);
    double pct = 100.0 * total / (total + usable(p[0]));
    printf("pct %.2f%% %d %.1f (%p)\n", pct, (int) usable(p[1]), mean / 2, (void *) where);
    for (int i = 0; i < 6; i++) {
        free(p[i]);
    }
    struct mallinfo2 mi = mallinfo2();
    printf("free %zu in use %zu share %.4f\n", mi.fordblks, mi.uordblks,
           (double) mi.fordblks / (mi.fordblks + mi.uordblks) + ratio(mi.arena, 4096) * 0);
    printf("locals: p %p total %p weighted %p mean %p f %p pct %p mi %p\n", (void *) p, (void *) &total,
           (void *) &weighted, (void *) &mean, (void *) &f, (void *) &pct, (void *) &mi);
    return 0;
}
