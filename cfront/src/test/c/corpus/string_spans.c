/* strndup (strnlen(s, n) + 1 bytes malloc'ed, as glibc's: the chunk sizes and the tcache's reuse show it),
 * strnlen, strspn, strcspn, strpbrk; and the calls gcc folds at -O0 (strspn(s, "") is 0, strcspn(s, "")
 * a strlen call, strpbrk(s, "") NULL, strpbrk(s, "c") a strchr call, two literals a constant): the
 * functions called set .got.plt's size, which moves the globals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int seen;

static size_t chunk(const char *p) {
    return ((const size_t *) p)[-1];
}

/* a parameter: of a pointer into a literal gcc would know the length, and strcspn(s, "") would be that constant */
static void folded(const char *word) {
    printf("folded: %zu %zu %p %s\n", strspn(word, ""), strcspn(word, ""), (void *) strpbrk(word, ""),
           strpbrk(word, "o"));
}

int main(void) {
    const char *text = "The quick brown fox, 42 jumps.";
    size_t ns[] = {0, 1, 7, 23, 24, 25, 30, 31, 100, (size_t) -1};
    char *dups[10];
    for (int i = 0; i < 10; i++) {
        dups[i] = strndup(text, ns[i]);
        printf("strndup(text, %zu) = %p [%s] chunk %#zx strnlen %zu\n", ns[i], (void *) dups[i], dups[i],
               chunk(dups[i]), strnlen(text, ns[i]));
    }
    free(dups[3]);
    free(dups[4]);
    char *again = strndup(text + 4, 20);
    printf("reused %p [%s] chunk %#zx\n", (void *) again, again, chunk(again));
    char *more = strndup("", 5);
    printf("empty %p [%s] chunk %#zx\n", (void *) more, more, chunk(more));
    char buf[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}; /* no NUL: strndup and strnlen stop at n */
    char *cut = strndup(buf, 8);
    printf("unterminated %p [%s] %zu %zu\n", (void *) cut, cut, strnlen(buf, 8), strnlen(buf, 3));

    const char *sets[] = {"Teh", "abcdefghijklmnopqrstuvwxyz", " ,.", "0123456789", "", "xyz", "T"};
    for (int i = 0; i < 7; i++) {
        char *p = strpbrk(text, sets[i]);
        printf("%-28s spn %2zu cspn %2zu pbrk %s\n", sets[i], strspn(text, sets[i]), strcspn(text, sets[i]),
               p ? p : "(none)");
    }
    folded(text + 4);
    printf("literals: %zu %zu %s\n", strspn("aaab", "a"), strcspn("hello", "l"), strpbrk("hello", "l"));
    char high[] = "\xe9\xe8-abc";
    printf("high bytes: %zu %zu %s\n", strspn(high, "\xe8\xe9"), strcspn(high, "-"), strpbrk(high, "cb"));

    for (int i = 0; i < 10; i++) {
        if (i != 3 && i != 4) {
            free(dups[i]);
        }
    }
    free(again);
    free(more);
    free(cut);
    char *last = malloc(40);
    printf("after %p, global %p, first function %p\n", (void *) last, (void *) &seen, (void *) chunk);
    return 0;
}
