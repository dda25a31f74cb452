/* '#' applied to arguments holding string and character literals: the quotes and backslashes inside are
   escaped once, so the literal made reads back as the argument was spelled (and assert's message too). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#define STR(x) #x
#define SHOW(x) printf("%s = %d\n", #x, (int) (x))

int main(void) {
    puts(STR(!"u"));
    puts(STR("a\"b" 'c' '\\' "\\n"));
    SHOW(strlen("four"));
    printf("%zu\n", strlen(STR("q")));
    fflush(stdout); /* what was printed is compared too: abort does not flush */
    assert(strcmp(STR(x), "x") == 0);
    assert(!"unreachable");
    return 0;
}
