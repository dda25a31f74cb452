/* The preprocessor: object- and function-like macros built from each other, #, ##, conditionals, __LINE__. */
#include <stdio.h>
#include <stdint.h>
#include <unistd.h>
#include "macros_local.h"
#include "macros_local.h"

#define SIZE_SZ (sizeof(size_t))
#define CHUNK_HDR_SZ (SIZE_SZ * 2)
#define MIN_CHUNK (CHUNK_HDR_SZ + 0x10)
#define PAGESIZE sysconf(_SC_PAGESIZE)
#define STR(x) #x
#define XSTR(x) STR(x)
#define CAT(a, b) a##b
#define SHOW(expr) printf(#expr " = %ld\n", (long)(expr))
#define heap_for_ptr(ptr) \
    ((void *)((unsigned long)(ptr) & ~(HEAP_MAX - 1)))
#define HEAP_MAX 0x4000000UL
#define LOG(fmt, ...) printf("log: " fmt "\n", ##__VA_ARGS__)

#if defined(__x86_64__) && !defined(NOT_DEFINED)
#define ARCH "x86_64"
#elif defined(__i386__)
#define ARCH "i386"
#else
#define ARCH "other"
#endif

#ifndef LOCAL_VALUE
#error "the local header was not included"
#endif

int main(void) {
    SHOW(CHUNK_HDR_SZ);
    SHOW(MIN_CHUNK);
    SHOW(PAGESIZE);
    SHOW(LOCAL_VALUE * 2);
    int CAT(my, var) = 7;
    SHOW(myvar);
    puts(STR(a + b));
    puts(XSTR(HEAP_MAX));
    printf("%p\n", heap_for_ptr(0x7ffff0001234UL));
    LOG("plain");
    LOG("with %d and %s", 1, "two");
    printf("%s %d %s\n", ARCH, __LINE__, __FILE__);
#if LOCAL_VALUE > 20 || (1 << 4) == 16
    puts("arithmetic in #if");
#endif
#undef ARCH
#ifdef ARCH
    puts("not reached");
#endif
    return 0;
}
