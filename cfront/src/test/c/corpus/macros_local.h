/* A local header for macros.c, included twice: the guard keeps one definition. */
#ifndef MACROS_LOCAL_H
#define MACROS_LOCAL_H
#define LOCAL_VALUE 21
static inline int local_twice(int x) { return 2 * x; }
#endif
