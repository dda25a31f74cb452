/* The initial thread's thread pointer and what lies below it in its static TLS: pthread_self(),
   errno's address and __ctype_b_loc()'s (the thread's pointer to the ctype table), where ld.so puts
   them natively whatever the kernel's layout moves libc to. */
#include <stdio.h>
#include <errno.h>
#include <pthread.h>
#include <ctype.h>

int main(void) {
    printf("pthread_self %p\n", (void *) pthread_self());
    printf("&errno       %p\n", (void *) &errno);
    printf("ctype table  %p\n", (void *) __ctype_b_loc());
    return 0;
}
