/* Library functions' addresses are where libc.so.6 has them: a program that prints one
   (to find libc's base, as exploit write-ups do) prints what it prints natively, and a call
   through such a pointer lands in the right function. The string functions glibc picks by
   the CPU are left to LibcFunctionsTest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <malloc.h>

typedef void *(*allocator)(size_t);

static void show(const char *name, void *address) {
    printf("%-8s %p\n", name, address);
}

int main(void) {
    show("puts", (void *) puts);
    show("printf", (void *) printf);
    show("malloc", (void *) malloc);
    show("free", (void *) free);
    show("calloc", (void *) calloc);
    show("realloc", (void *) realloc);
    show("exit", (void *) exit);
    show("sscanf", (void *) sscanf);
    show("sbrk", (void *) sbrk);
    show("write", (void *) write);
    show("strdup", (void *) strdup);
    show("malloc_usable_size", (void *) malloc_usable_size);
    unsigned long base = (unsigned long) puts - 0x77980;
    printf("libc base %#lx, system at %#lx\n", base, base + 0x4c490);

    allocator a = malloc;
    char *p = a(24);
    void *(*copy)(void *, const void *, size_t) = memcpy;
    copy(p, "through a pointer", 18);
    int (*say)(const char *) = puts;
    say(p);
    void (*release)(void *) = free;
    release(p);
    printf("%s\n", (void *) a == (void *) malloc ? "same" : "different");
    return 0;
}
