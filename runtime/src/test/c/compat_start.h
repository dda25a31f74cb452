/* A binary built here (glibc 2.36) that also loads on glibc 2.31 through
 * "ld.so --library-path DIR ./program": with -DCOMPAT_START and -nostartfiles, our own _start
 * calls __libc_start_main@GLIBC_2.2.5 instead of the GLIBC_2.34 version crt1.o of glibc >= 2.34
 * references; init = fini = NULL: glibc >= 2.34 then runs the ELF constructors itself, older glibc
 * runs none, and the programs here need none. A program that uses threads defines COMPAT_PTHREAD
 * first: glibc < 2.34 keeps pthread_create, pthread_join, pthread_attr_setstacksize and the sem_*
 * functions in libpthread.so.0 at version GLIBC_2.2.5 (2.34+ still exports them there as
 * compatibility symbols), so they are bound to that version; link with
 * -Wl,--no-as-needed -l:libpthread.so.0. Without COMPAT_START this file adds nothing. */
#ifdef COMPAT_START
#ifdef COMPAT_PTHREAD
__asm__(".symver pthread_create,pthread_create@GLIBC_2.2.5\n"
        ".symver pthread_join,pthread_join@GLIBC_2.2.5\n"
        ".symver pthread_attr_setstacksize,pthread_attr_setstacksize@GLIBC_2.2.5\n"
        ".symver sem_init,sem_init@GLIBC_2.2.5\n"
        ".symver sem_wait,sem_wait@GLIBC_2.2.5\n"
        ".symver sem_post,sem_post@GLIBC_2.2.5\n");
#endif
__asm__(".symver __libc_start_main,__libc_start_main@GLIBC_2.2.5\n"
        ".text\n"
        ".globl _start\n"
        ".type _start,@function\n"
        "_start:\n"
        "  xorl %ebp, %ebp\n"
        "  movq %rdx, %r9\n"           /* rtld_fini */
        "  popq %rsi\n"                /* argc */
        "  movq %rsp, %rdx\n"          /* argv */
        "  andq $~15, %rsp\n"
        "  pushq %rax\n"
        "  pushq %rsp\n"               /* stack_end */
        "  xorl %r8d, %r8d\n"          /* fini */
        "  xorl %ecx, %ecx\n"          /* init */
        "  leaq main(%rip), %rdi\n"
        "  call *__libc_start_main@GOTPCREL(%rip)\n"
        "  hlt\n"
        ".size _start, .-_start\n");
#endif
