/* strerror and perror: glibc's texts, at the addresses glibc keeps them (libc's read-only data), and
 * for a number it does not know, "Unknown error N" malloc'ed as its strerror_l and asprintf do it
 * (the previous one freed, a 100-byte buffer, a block of the text's length); errno as the program
 * sets it is what perror reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>

int main(void) {
    setbuf(stdout, NULL);
    int known[] = {0, EPERM, ENOENT, EBADF, ENOMEM, EACCES, EEXIST, EINVAL, ENOSPC, EPIPE, EAGAIN, ELOOP};
    for (int i = 0; i < (int) (sizeof known / sizeof known[0]); i++) {
        char *s = strerror(known[i]);
        printf("%3d %p %s\n", known[i], (void *) s, s);
    }
    char *a = malloc(16);
    char *p = strerror(1234);
    char *q = malloc(100);
    printf("a %p unknown %p (usable %zu) \"%s\" then malloc(100) %p\n", (void *) a, (void *) p,
           malloc_usable_size(p), p, (void *) q);
    char *p2 = strerror(-5);
    printf("again %p \"%s\"\n", (void *) p2, p2);
    char *r = malloc(16);
    printf("r %p\n", (void *) r);
    errno = ENOMEM;
    perror("after errno = ENOMEM");
    errno = 0;
    perror("after errno = 0");
    perror(NULL);
    errno = 9999;
    perror("");
    return 0;
}
