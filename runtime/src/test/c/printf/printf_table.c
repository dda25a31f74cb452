/*
 * The reference side of PrintfMatchesGlibcTest: prints one line per printf case, the formatted
 * text followed by '|' and printf's return value. The cases come from printf_cases.h, which the
 * Java test writes (into target/) from the same list it runs through our Printf, so the two sides
 * can never drift apart.
 *
 *   gcc -w -fno-builtin -I DIR_WITH_CASES printf_table.c -o printf_table
 */
#include <stdio.h>
#include <stddef.h>

#define CASE(...)                                                                                  \
    do {                                                                                           \
        int n_ = printf(__VA_ARGS__);                                                              \
        printf("|%d\n", n_);                                                                       \
    } while (0)

int main(void) {
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
#include "printf_cases.h"
    return 0;
}
