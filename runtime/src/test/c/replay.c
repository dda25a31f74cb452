/*
 * replay.c - replay a malloclab-style trace (.rep) on the real glibc malloc and
 * print where every block landed, relative to the program break at the start
 * of main.  This is the reference side of mallocscope's golden tests.
 *
 * Usage:   replay TRACEFILE
 *          (malloc tunables come from GLIBC_TUNABLES in the environment, as usual)
 *
 * The program makes NO heap allocation of its own: no stdio, no strdup, no
 * locale.  The trace is mapped with mmap(2), all state lives in .bss (which
 * only moves the initial break, and every heap address is printed as an offset
 * from sbrk(0) taken first thing in main), and output is formatted by hand
 * into a static buffer and written with write(2).
 *
 * Trace format (CS:APP malloclab .rep, read leniently):
 *   up to four leading lines holding a single integer each (header, ignored);
 *   blank lines are ignored; a line whose first non-blank char is '#' is a
 *   comment; every other line is one operation:
 *     a ID BYTES        malloc(BYTES)               -> "a ID WHERE SIZE"
 *     f ID              free(ptr[ID])               -> (nothing)
 *     r ID BYTES        ptr[ID]=realloc(ptr[ID],BYTES) -> "r ID WHERE SIZE"
 *                       (NULL result: "r ID NULL"; BYTES>0 keeps the old
 *                        pointer, realloc(p,0) leaves ptr[ID] NULL)
 *     c ID BYTES        calloc(1,BYTES)             -> "c ID WHERE SIZE"
 *     t PAD             malloc_trim(PAD)            -> "t RESULT"
 *     m ID ALIGN BYTES  memalign(ALIGN,BYTES)       -> "m ID WHERE SIZE"
 *     o PARAM VALUE     mallopt(PARAM,VALUE)        -> "o RESULT"
 *     s INCR            sbrk(INCR) by the program   -> "s H+0x.." (old break) or "s FAIL"
 *   WHERE is H+0x.. / H-0x.. (pointer minus initial break), M+0x.. (low 12
 *   bits of the pointer, for chunks whose size word has IS_MMAPPED) or NULL
 *   (then no SIZE).  SIZE is the raw chunk size word, flags included.
 *   After the last op: "brk H+0x.." and a "mallinfo ..." line (mallinfo2, or
 *   mallinfo() when compiled with -DOLD_MALLINFO for glibc < 2.33).
 *   A malformed line prints "error: FILE:LINE: ..." to stderr and exits 2.
 *
 * Build:  gcc -O1 -o replay replay.c
 *   -DOLD_MALLINFO   use mallinfo() instead of mallinfo2() (glibc < 2.33).
 *   -DCOMPAT_START   (together with -nostartfiles) provide our own _start that
 *                    calls __libc_start_main@GLIBC_2.2.5 instead of the
 *                    GLIBC_2.34 version referenced by crt1.o of glibc >= 2.34,
 *                    so one binary built here also runs on glibc < 2.34 via
 *                    "ld.so --library-path DIR ./replay TRACE".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_IDS (1u << 22) /* 4,194,304 distinct IDs; 32 MiB of .bss, touched lazily */
#define IS_MMAPPED_BIT 0x2

static void *ptrs[MAX_IDS];
static uintptr_t heap_base; /* sbrk(0) at the start of main */

/* ------------------------------------------------------------------ output */

static char outbuf[1 << 16];
static size_t outlen;

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            _exit(3);
        }
        p += w;
        n -= (size_t)w;
    }
}

static void out_flush(void)
{
    write_all(1, outbuf, outlen);
    outlen = 0;
}

static void out_ch(char c)
{
    if (outlen == sizeof outbuf)
        out_flush();
    outbuf[outlen++] = c;
}

static void out_str(const char *s)
{
    while (*s)
        out_ch(*s++);
}

static void out_udec(unsigned long long v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out_ch(tmp[--n]);
}

static void out_sdec(long long v)
{
    if (v < 0) {
        out_ch('-');
        out_udec(0ULL - (unsigned long long)v);
    } else {
        out_udec((unsigned long long)v);
    }
}

static void out_hex(unsigned long long v) /* 0x.., lowercase, no leading zeros */
{
    char tmp[20];
    int n = 0;
    out_str("0x");
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        out_ch(tmp[--n]);
}

/* "H+0x.." or "H-0x.." for an address relative to the initial break */
static void out_heapoff(uintptr_t addr)
{
    if (addr >= heap_base) {
        out_str("H+");
        out_hex(addr - heap_base);
    } else {
        out_str("H-");
        out_hex(heap_base - addr);
    }
}

/* " WHERE SIZE" or " NULL" */
static void out_where(void *p)
{
    if (p == NULL) {
        out_str(" NULL");
        return;
    }
    size_t sz = ((size_t *)p)[-1];
    out_ch(' ');
    if (sz & IS_MMAPPED_BIT) {
        out_str("M+");
        out_hex((uintptr_t)p & 0xfff);
    } else {
        out_heapoff((uintptr_t)p);
    }
    out_ch(' ');
    out_hex(sz);
}

/* ------------------------------------------------------------------ errors */

static const char *trace_name;
static unsigned long cur_line;

static void err_str(char *buf, size_t *len, size_t cap, const char *s)
{
    while (*s && *len < cap)
        buf[(*len)++] = *s++;
}

static void __attribute__((noreturn)) fail(const char *what, const char *tok, size_t toklen)
{
    static char eb[1024];
    size_t n = 0;
    char num[24];
    int k = 0;
    unsigned long l = cur_line;

    out_flush();
    err_str(eb, &n, sizeof eb - 2, "error: ");
    err_str(eb, &n, sizeof eb - 2, trace_name ? trace_name : "?");
    if (cur_line) {
        err_str(eb, &n, sizeof eb - 2, ":");
        do {
            num[k++] = (char)('0' + l % 10);
            l /= 10;
        } while (l);
        while (k && n < sizeof eb - 2)
            eb[n++] = num[--k];
    }
    err_str(eb, &n, sizeof eb - 2, ": ");
    err_str(eb, &n, sizeof eb - 2, what);
    if (tok) {
        err_str(eb, &n, sizeof eb - 2, " '");
        for (size_t i = 0; i < toklen && i < 80 && n < sizeof eb - 3; i++)
            eb[n++] = tok[i];
        err_str(eb, &n, sizeof eb - 2, "'");
    }
    eb[n++] = '\n';
    write_all(2, eb, n);
    _exit(2);
}

/* ------------------------------------------------------------------ parsing */

#define MAX_TOK 8

struct tok {
    const char *s;
    size_t n;
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* splits [p,end) into whitespace separated tokens; returns the count (capped) */
static int tokenize(const char *p, const char *end, struct tok *t, int *overflow)
{
    int n = 0;
    *overflow = 0;
    while (p < end) {
        while (p < end && is_blank(*p))
            p++;
        if (p >= end)
            break;
        const char *s = p;
        while (p < end && !is_blank(*p))
            p++;
        if (n == MAX_TOK) {
            *overflow = 1;
            break;
        }
        t[n].s = s;
        t[n].n = (size_t)(p - s);
        n++;
    }
    return n;
}

/* unsigned decimal, at most 2^64-1; returns 0 on success */
static int parse_u64(const struct tok *t, unsigned long long *out)
{
    unsigned long long v = 0;
    if (t->n == 0)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        char c = t->s[i];
        if (c < '0' || c > '9')
            return -1;
        unsigned d = (unsigned)(c - '0');
        if (v > (~0ULL - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* signed decimal in [-2^63, 2^63-1] */
static int parse_s64(const struct tok *t, long long *out)
{
    struct tok u = *t;
    int neg = 0;
    unsigned long long v;
    if (u.n > 0 && (u.s[0] == '-' || u.s[0] == '+')) {
        neg = u.s[0] == '-';
        u.s++;
        u.n--;
    }
    if (parse_u64(&u, &v))
        return -1;
    if (neg) {
        if (v > (1ULL << 63))
            return -1;
        *out = (long long)(0ULL - v);
    } else {
        if (v > (unsigned long long)INT64_MAX)
            return -1;
        *out = (long long)v;
    }
    return 0;
}

static size_t arg_id(const struct tok *t)
{
    unsigned long long v;
    if (parse_u64(t, &v))
        fail("bad ID", t->s, t->n);
    if (v >= MAX_IDS)
        fail("ID too large (limit 4194303)", t->s, t->n);
    return (size_t)v;
}

static size_t arg_size(const struct tok *t)
{
    unsigned long long v;
    if (parse_u64(t, &v))
        fail("bad unsigned number", t->s, t->n);
    return (size_t)v;
}

static long long arg_signed(const struct tok *t)
{
    long long v;
    if (parse_s64(t, &v))
        fail("bad signed number", t->s, t->n);
    return v;
}

static int arg_int(const struct tok *t)
{
    long long v = arg_signed(t);
    if (v < INT32_MIN || v > INT32_MAX)
        fail("number out of int range", t->s, t->n);
    return (int)v;
}

static void want_args(int ntok, int nargs, const struct tok *op)
{
    if (ntok != nargs + 1)
        fail(ntok < nargs + 1 ? "too few arguments for op" : "too many arguments for op", op->s,
             op->n);
}

/* ------------------------------------------------------------------ ops */

static void run_line(struct tok *t, int n)
{
    char op = t[0].s[0];
    size_t id;
    void *p;

    if (t[0].n != 1)
        fail("unknown op", t[0].s, t[0].n);
    switch (op) {
    case 'a':
        want_args(n, 2, &t[0]);
        id = arg_id(&t[1]);
        p = malloc(arg_size(&t[2]));
        ptrs[id] = p;
        out_str("a ");
        out_udec(id);
        out_where(p);
        out_ch('\n');
        break;
    case 'f':
        want_args(n, 1, &t[0]);
        id = arg_id(&t[1]);
        free(ptrs[id]);
        ptrs[id] = NULL;
        break;
    case 'r': {
        want_args(n, 2, &t[0]);
        id = arg_id(&t[1]);
        size_t bytes = arg_size(&t[2]);
        p = realloc(ptrs[id], bytes);
        if (p != NULL || bytes == 0 || ptrs[id] == NULL)
            ptrs[id] = p; /* realloc(p,0) freed p; realloc(NULL,n) failing leaves NULL */
        /* else: failed realloc keeps the old block */
        out_str("r ");
        out_udec(id);
        out_where(p);
        out_ch('\n');
        break;
    }
    case 'c':
        want_args(n, 2, &t[0]);
        id = arg_id(&t[1]);
        p = calloc(1, arg_size(&t[2]));
        ptrs[id] = p;
        out_str("c ");
        out_udec(id);
        out_where(p);
        out_ch('\n');
        break;
    case 'm': {
        want_args(n, 3, &t[0]);
        id = arg_id(&t[1]);
        size_t align = arg_size(&t[2]);
        p = memalign(align, arg_size(&t[3]));
        ptrs[id] = p;
        out_str("m ");
        out_udec(id);
        out_where(p);
        out_ch('\n');
        break;
    }
    case 't': {
        want_args(n, 1, &t[0]);
        int r = malloc_trim(arg_size(&t[1]));
        out_str("t ");
        out_sdec(r);
        out_ch('\n');
        break;
    }
    case 'o': {
        want_args(n, 2, &t[0]);
        int param = arg_int(&t[1]);
        int value = arg_int(&t[2]);
        int r = mallopt(param, value);
        out_str("o ");
        out_sdec(r);
        out_ch('\n');
        break;
    }
    case 's': {
        want_args(n, 1, &t[0]);
        intptr_t incr = (intptr_t)arg_signed(&t[1]);
        void *old = sbrk(incr);
        out_str("s ");
        if (old == (void *)-1)
            out_str("FAIL");
        else
            out_heapoff((uintptr_t)old);
        out_ch('\n');
        break;
    }
    default:
        fail("unknown op", t[0].s, t[0].n);
    }
}

static void print_summary(void)
{
    out_str("brk ");
    out_heapoff((uintptr_t)sbrk(0));
    out_ch('\n');
#ifdef OLD_MALLINFO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    struct mallinfo mi = mallinfo();
#pragma GCC diagnostic pop
#define PR(name) out_sdec((long long)mi.name)
#else
    struct mallinfo2 mi = mallinfo2();
#define PR(name) out_udec((unsigned long long)mi.name)
#endif
    out_str("mallinfo arena=");
    PR(arena);
    out_str(" ordblks=");
    PR(ordblks);
    out_str(" smblks=");
    PR(smblks);
    out_str(" hblks=");
    PR(hblks);
    out_str(" hblkhd=");
    PR(hblkhd);
    out_str(" fsmblks=");
    PR(fsmblks);
    out_str(" uordblks=");
    PR(uordblks);
    out_str(" fordblks=");
    PR(fordblks);
    out_str(" keepcost=");
    PR(keepcost);
    out_ch('\n');
#undef PR
}

int main(int argc, char **argv)
{
    heap_base = (uintptr_t)sbrk(0); /* before anything else */

    if (argc != 2) {
        static const char usage[] = "usage: replay TRACEFILE\n";
        write_all(2, usage, sizeof usage - 1);
        return 2;
    }
    trace_name = argv[1];

    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail("cannot open trace file", NULL, 0);
    /* lseek rather than fstat: fstat is fstat@GLIBC_2.33 when built on >= 2.33 */
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0)
        fail("cannot size trace file", NULL, 0);
    const char *data = "";
    size_t len = (size_t)size;
    if (len > 0) {
        void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED)
            fail("cannot mmap trace file", NULL, 0);
        data = m;
    }
    close(fd);

    const char *p = data, *end = data + len;
    int header_lines = 0, in_header = 1;
    struct tok t[MAX_TOK];
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        cur_line++;
        int overflow;
        int n = tokenize(p, eol, t, &overflow);
        p = eol + 1;
        if (n == 0 || t[0].s[0] == '#')
            continue;
        if (overflow)
            fail("too many fields", NULL, 0);
        long long dummy;
        if (n == 1 && parse_s64(&t[0], &dummy) == 0) {
            if (!in_header)
                fail("number-only line after the first operation", t[0].s, t[0].n);
            if (++header_lines > 4)
                fail("more than four header lines", t[0].s, t[0].n);
            continue;
        }
        in_header = 0;
        run_line(t, n);
        /* one write per op: if glibc aborts (SIGABRT) the output up to the failing op survives */
        out_flush();
    }
    cur_line = 0;

    print_summary();
    out_flush();
    return 0;
}

#ifdef COMPAT_START
/* Link with -nostartfiles.  Bind to the oldest x86_64 __libc_start_main so
 * the binary also loads on glibc 2.31 (crt1.o of glibc >= 2.34 references
 * __libc_start_main@GLIBC_2.34).  init = fini = NULL: glibc >= 2.34 then runs
 * the ELF constructors itself; older glibc runs none, and we need none. */
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
