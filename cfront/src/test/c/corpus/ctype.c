/* <ctype.h> in the C locale: every class and both case mappings for each int from -128 (a signed
 * char's bytes, which glibc's tables answer for) to 255, and EOF; the macros (glibc's table lookups,
 * whose values are the class's bit, 1024 for isalpha('a')) and the functions ((isalpha)(c), through
 * pointers) agree; a char string with bytes above 127 indexed as negative chars; out-of-range
 * toupper/tolower; a value held across the table's call; no heap effect; the table where libc has it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int seen; /* .bss after .got.plt, whose size counts the library functions called (gcc's isdigit (c) is none) */

/* one statement each: gcc folds isalpha(c) | isdigit(c) in one expression into a single table read */
static int classify(int c) {
    int bits = isalpha(c);
    bits |= isdigit(c);
    bits |= isalnum(c);
    bits |= isspace(c);
    bits |= isupper(c);
    bits |= islower(c);
    bits |= isxdigit(c);
    bits |= ispunct(c);
    bits |= isprint(c);
    bits |= isgraph(c);
    bits |= iscntrl(c);
    bits |= isblank(c);
    return bits;
}

int main(void) {
    char *before = malloc(24);
    for (int c = -128; c < 256; c++) {
        printf("%4d %4x %4x %4x %4x %4x %4x", c, isalpha(c), isdigit(c), isalnum(c), isspace(c), isupper(c),
               islower(c));
        printf(" %4x %4x %4x %4x %4x %4x", isxdigit(c), ispunct(c), isprint(c), isgraph(c), iscntrl(c), isblank(c));
        printf(" %4d %4d\n", toupper(c), tolower(c));
    }
    int (*fns[])(int) = {isalpha, isdigit, isalnum, isspace, isupper, islower, isxdigit, ispunct, isprint,
                         isgraph, iscntrl, isblank, toupper, tolower};
    int differ = 0;
    long sum = 0;
    for (int c = -128; c < 256; c++) {
        int bits = (isalpha)(c) | (isdigit)(c) | (isalnum)(c) | (isspace)(c) | (isupper)(c) | (islower)(c)
            | (isxdigit)(c) | (ispunct)(c) | (isprint)(c) | (isgraph)(c) | (iscntrl)(c) | (isblank)(c);
        if (bits != classify(c)) {
            differ++;
        }
        for (int i = 0; i < 14; i++) {
            sum = sum * 31 + fns[i](c);
        }
    }
    printf("functions differ from macros at %d values; sum %ld\n", differ, sum);
    printf("EOF: %d %d %d %d\n", isalpha(EOF), isspace(EOF), toupper(EOF), tolower(EOF));
    printf("outside the table: %d %d %d %d\n", toupper(300), tolower(-129), toupper(1000000), tolower(-5000));
    printf("isascii %d %d %d, toascii %d %d\n", isascii('a'), isascii(200), isascii(-1), toascii(200), toascii(-1));
    char s[] = "Hello, World!\t42 \xe9t\xe9 0xFF_\x7f\x80\xff";
    int alpha = 0, digit = 0, space = 0, punct = 0, upper = 0, other = 0;
    for (char *p = s; *p; p++) {
        if (isalpha(*p)) alpha++;
        if (isdigit(*p)) digit++;
        if (isspace(*p)) space++;
        if (ispunct(*p)) punct++;
        if (isupper(*p)) upper++;
        if (!isprint(*p)) other++;
        *p = toupper(*p);
    }
    printf("alpha %d digit %d space %d punct %d upper %d unprintable %d\n", alpha, digit, space, punct, upper, other);
    for (char *p = s; *p; p++) {
        printf("%02x", (unsigned char) *p);
    }
    printf("\n");
    int held = 7;
    int r = held * 100 + isxdigit('f') + tolower('Q');
    printf("held %d\n", r);
    char *after = malloc(24);
    printf("heap %p %p, global %p, first function %p, libc's class table %p\n", (void *) before, (void *) after,
           (void *) &seen, (void *) classify,
           (void *) *__ctype_b_loc());
    free(after);
    free(before);
    return 0;
}
