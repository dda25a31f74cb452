/* memcheck under the C front end against Valgrind: blocks still reachable from a global that sits
   past the program's first page of .bss, a block lost with another reachable only through it
   (one loss record: "32 (16 direct, 16 indirect) bytes"), and a double free, which glibc then
   stops (Valgrind's allocator does not: its "Process terminating" line is the one difference). */
#include <stdlib.h>

struct pair {
    struct pair *other;
    long value;
};

static char padding[10000];
static struct pair *kept;

static struct pair *make(struct pair *other) {
    struct pair *p = malloc(sizeof *p);
    p->other = other;
    p->value = 1;
    return p;
}

int main(void) {
    padding[0] = 1;
    struct pair *inner = make(NULL);
    kept = make(inner);
    inner = make(NULL);
    struct pair *lost = make(inner);
    inner = NULL;
    lost = NULL;
    char *twice = malloc(40);
    free(twice);
    free(twice);
    return 0;
}
