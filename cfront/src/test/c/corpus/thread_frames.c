/* A thread function's frame where glibc 2.36 puts it: start_thread calls the start routine with the
 * stack pointer 0x7e0 below the thread's descriptor, and the routine returns into start_thread.
 * Locals, the frame and return addresses, a nested call's frame, for the default 8 MiB stack and a
 * 64 KiB one. */
#include <pthread.h>
#include <stdio.h>

static void inner(int depth) {
    char buf[24];
    printf("  inner(%d): buf %p frame %p\n", depth, (void *) buf, __builtin_frame_address(0));
}

static void *body(void *arg) {
    int local = 5;
    long big[4];
    big[0] = (long) arg;
    printf("thread %ld: &local %p big %p frame %p returns to %p; self %#lx\n", big[0], (void *) &local,
           (void *) big, __builtin_frame_address(0), __builtin_return_address(0), (unsigned long) pthread_self());
    inner(local);
    return arg;
}

int main(void) {
    setbuf(stdout, NULL);
    pthread_t t;
    pthread_create(&t, NULL, body, (void *) 1);
    pthread_join(t, NULL);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 1 << 16);
    pthread_create(&t, &at, body, (void *) 2);
    pthread_join(t, NULL);
    return 0;
}
