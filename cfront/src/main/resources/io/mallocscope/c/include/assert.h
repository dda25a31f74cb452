/* mallocscope's <assert.h>: glibc's message, then abort(). */
#undef assert
#ifdef NDEBUG
# define assert(expr) ((void) 0)
#else
void __assert_fail(const char *assertion, const char *file, unsigned int line, const char *function);
# define assert(expr) ((expr) ? (void) 0 : __assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif
