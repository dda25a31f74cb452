/*
 * replay.c - replay a malloclab-style trace (.rep) on the real glibc malloc and
 * print where every block landed, relative to the program break at the start
 * of main.  This is the reference side of mallocscope's golden tests.
 *
 * Usage:   replay TRACEFILE [--malloc-stats]
 *          (malloc tunables come from GLIBC_TUNABLES in the environment, as usual)
 *          --malloc-stats: after the summary, malloc_stats() prints every arena on stderr
 *          (unbuffered: it allocates nothing); stdout is the same as without it
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
 * Threads (only when built with -DTHREADS -pthread):
 *     T K               the current thread becomes K (0 = main, 1..255); a K
 *                       that does not exist is first created by main with an
 *                       explicit 8 MiB stack size
 *     X K               thread K returns from its start function and main
 *                       joins it; the current thread stays (becomes main if
 *                       it was K)
 *   Real threads take turns in trace order: each waits on its own semaphore
 *   (the baton) and only the holder runs; creating and joining are always done
 *   by main, which other threads ask for it through the baton.  When the trace
 *   has at least one T line, every op's output line is prefixed "K: " (the
 *   executing thread), H is the initial break rounded up to 16, a chunk with
 *   the NON_MAIN_ARENA bit prints as A<n>+0x.. (user pointer minus its heap's
 *   start p & ~(64 MiB-1); n numbers arenas 1, 2, .. in order of first
 *   appearance) or A<n>.<h>+0x.. for the h-th heap of the arena's chain
 *   (counted along heap_info->prev, h = 1 left out), and an "arenas N" line
 *   (distinct non-main arenas printed) follows the mallinfo line.  Without a
 *   T line the output is exactly the single-threaded one.  Run with an empty
 *   environment and an explicit glibc.malloc.arena_max: otherwise the arena
 *   limit is 8 x the machine's CPUs.
 *
 * Build:  gcc -O1 -o replay replay.c
 *   -DOLD_MALLINFO   use mallinfo() instead of mallinfo2() (glibc < 2.33).
 *   -DCOMPAT_START   (together with -nostartfiles) provide our own _start that
 *                    calls __libc_start_main@GLIBC_2.2.5 instead of the
 *                    GLIBC_2.34 version referenced by crt1.o of glibc >= 2.34,
 *                    so one binary built here also runs on glibc < 2.34 via
 *                    "ld.so --library-path DIR ./replay TRACE" (compat_start.h).
 *   -DTHREADS        (with -pthread; for glibc < 2.34 also -DCOMPAT_START and
 *                    -Wl,--no-as-needed -l:libpthread.so.0) the T and X ops.
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
#ifdef THREADS
#include <pthread.h>
#include <semaphore.h>
#define COMPAT_PTHREAD
#endif
#include "compat_start.h"

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

#ifdef THREADS
#define NON_MAIN_ARENA_BIT 0x4
#define HEAP_MAX_SIZE (64UL << 20) /* 2 * DEFAULT_MMAP_THRESHOLD_MAX on 64-bit */
static int threaded;               /* the trace has a T line */
static int self_prefix = -1;       /* thread printed as "K: " before each op line */
static void *arena_seen[4096];     /* non-main arenas in order of first appearance */
static unsigned narenas_seen;

/* "A<n>+0x.." or "A<n>.<h>+0x.." for a chunk of a non-main arena */
static void out_arenaoff(uintptr_t addr)
{
    uintptr_t heap = addr & ~(HEAP_MAX_SIZE - 1);
    void *ar = ((void **)heap)[0]; /* heap_info.ar_ptr */
    unsigned n = 0, h = 1;
    while (n < narenas_seen && arena_seen[n] != ar)
        n++;
    if (n == narenas_seen && narenas_seen < sizeof arena_seen / sizeof arena_seen[0])
        arena_seen[narenas_seen++] = ar;
    for (void **hi = ((void ***)heap)[1]; hi != NULL; hi = (void **)hi[1]) /* heap_info.prev */
        h++;
    out_ch('A');
    out_udec(n + 1);
    if (h > 1) {
        out_ch('.');
        out_udec(h);
    }
    out_ch('+');
    out_hex(addr - heap);
}
#endif

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
#ifdef THREADS
    } else if (threaded && (sz & NON_MAIN_ARENA_BIT)) {
        out_arenaoff((uintptr_t)p);
#endif
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

/* the start of an op's output line: "K: " first in a threaded trace */
static void out_op(const char *op)
{
#ifdef THREADS
    if (threaded) {
        out_udec((unsigned)self_prefix);
        out_str(": ");
    }
#endif
    out_str(op);
}

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
        out_op("a ");
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
        out_op("r ");
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
        out_op("c ");
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
        out_op("m ");
        out_udec(id);
        out_where(p);
        out_ch('\n');
        break;
    }
    case 't': {
        want_args(n, 1, &t[0]);
        int r = malloc_trim(arg_size(&t[1]));
        out_op("t ");
        out_sdec(r);
        out_ch('\n');
        break;
    }
    case 'o': {
        want_args(n, 2, &t[0]);
        int param = arg_int(&t[1]);
        int value = arg_int(&t[2]);
        int r = mallopt(param, value);
        out_op("o ");
        out_sdec(r);
        out_ch('\n');
        break;
    }
    case 's': {
        want_args(n, 1, &t[0]);
        intptr_t incr = (intptr_t)arg_signed(&t[1]);
        void *old = sbrk(incr);
        out_op("s ");
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
#ifdef THREADS
    if (threaded) {
        out_str("arenas ");
        out_udec(narenas_seen);
        out_ch('\n');
    }
#endif
}

/* ------------------------------------------------------------------ reading */

static const char *cursor, *trace_end; /* the unread rest of the mapped trace */
static int header_lines, in_header = 1;

/* tokenizes the next operation line into t; returns its token count, 0 at the end */
static int next_op(struct tok *t)
{
    while (cursor < trace_end) {
        const char *eol = memchr(cursor, '\n', (size_t)(trace_end - cursor));
        if (eol == NULL)
            eol = trace_end;
        cur_line++;
        int overflow;
        int n = tokenize(cursor, eol, t, &overflow);
        cursor = eol + 1;
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
        return n;
    }
    return 0;
}

static int want_malloc_stats; /* --malloc-stats */

static void finish(void)
{
    cur_line = 0;
    print_summary();
    out_flush();
    if (want_malloc_stats)
        malloc_stats();
}

#ifdef THREADS
/* ------------------------------------------------------------------ threads
 *
 * Only the thread holding the baton runs; every other one waits in wait_turn
 * on its own semaphore.  sem_wait/sem_post and pthread_join make no heap
 * allocation; pthread_create does (the new thread's DTV, calloc'ed by main),
 * which is part of what the traces show. */

#define MAX_THREADS 256
#define STACK_SIZE (8UL << 20)

enum { REQ_NONE, REQ_CREATE, REQ_JOIN };

static struct {
    pthread_t th;
    sem_t go;
    int alive;   /* created and not yet told to exit */
    int exiting; /* told to return from its start function */
} thr[MAX_THREADS];
static pthread_attr_t attr;
static int req, req_thread, req_resume; /* what a thread asks main to do, and who runs next */

static void *thread_main(void *arg);
static int run_ops(int self);

static void create_thread(int k)
{
    int e = pthread_create(&thr[k].th, &attr, thread_main, (void *)(intptr_t)k);
    if (e != 0)
        fail("pthread_create failed", NULL, 0);
    thr[k].alive = 1;
    thr[k].exiting = 0;
}

static void join_thread(int k)
{
    if (pthread_join(thr[k].th, NULL) != 0)
        fail("pthread_join failed", NULL, 0);
}

static void pass_baton(int to)
{
    sem_post(&thr[to].go);
}

/* waits for the baton; main also serves the create/join requests of other threads here */
static void wait_turn(int self)
{
    for (;;) {
        while (sem_wait(&thr[self].go) != 0)
            ; /* EINTR */
        if (self != 0 || req == REQ_NONE)
            return;
        int what = req, k = req_thread, next = req_resume;
        req = REQ_NONE;
        if (what == REQ_CREATE)
            create_thread(k);
        else
            join_thread(k);
        if (next == 0)
            return;
        pass_baton(next);
    }
}

static void *thread_main(void *arg)
{
    int self = (int)(intptr_t)arg;
    wait_turn(self);
    if (run_ops(self)) {
        finish(); /* this thread read the last line: end the whole process */
        _exit(0);
    }
    return NULL; /* "X self": glibc's thread exit path runs, main joins */
}

static int arg_thread(const struct tok *t, int lowest)
{
    unsigned long long v;
    if (parse_u64(t, &v) || v < (unsigned long long)lowest || v >= MAX_THREADS)
        fail(lowest ? "bad thread number (1..255)" : "bad thread number (0..255)", t->s, t->n);
    return (int)v;
}

/* "T K" in thread self: K runs next (main creates it first if needed); self waits */
static void switch_to(int self, int k)
{
    if (k == self)
        return;
    if (k != 0 && !thr[k].alive) {
        if (self == 0) {
            create_thread(k);
        } else {
            req = REQ_CREATE;
            req_thread = k;
            req_resume = k;
            pass_baton(0);
            wait_turn(self);
            return;
        }
    }
    pass_baton(k);
    wait_turn(self);
}

/* "X K" in thread self; returns 1 when self is K and must return from its start function */
static int exit_thread(int self, int k)
{
    if (!thr[k].alive)
        fail("X of a thread that is not running", NULL, 0);
    thr[k].alive = 0;
    thr[k].exiting = 1;
    if (k == self) {
        req = REQ_JOIN; /* main joins us, then runs on */
        req_thread = k;
        req_resume = 0;
        pass_baton(0);
        return 1;
    }
    pass_baton(k); /* k wakes, sees exiting and returns */
    if (self == 0) {
        join_thread(k);
    } else {
        req = REQ_JOIN;
        req_thread = k;
        req_resume = self;
        pass_baton(0);
        wait_turn(self);
    }
    return 0;
}

/* runs trace lines while self holds the baton; 1 at the end of the trace, 0 when self must exit */
static int run_ops(int self)
{
    struct tok t[MAX_TOK];
    int n;
    if (thr[self].exiting)
        return 0;
    self_prefix = self;
    while ((n = next_op(t)) > 0) {
        if (t[0].n == 1 && t[0].s[0] == 'T') {
            want_args(n, 1, &t[0]);
            switch_to(self, arg_thread(&t[1], 0));
            if (thr[self].exiting)
                return 0;
            self_prefix = self;
            continue;
        }
        if (t[0].n == 1 && t[0].s[0] == 'X') {
            want_args(n, 1, &t[0]);
            if (exit_thread(self, arg_thread(&t[1], 1)) || thr[self].exiting)
                return 0;
            self_prefix = self;
            continue;
        }
        run_line(t, n);
        out_flush();
    }
    return 1;
}

/* a trace with a T line is threaded: scan it once without running anything */
static void start_threads(void)
{
    struct tok t[MAX_TOK];
    const char *save = cursor;
    int n;
    while ((n = next_op(t)) > 0)
        if (t[0].n == 1 && t[0].s[0] == 'T')
            threaded = 1;
    cursor = save;
    cur_line = 0;
    header_lines = 0;
    in_header = 1;
    if (threaded)
        heap_base = (heap_base + 15) & ~(uintptr_t)15; /* 2.31 leaves it unaligned under GLIBC_TUNABLES */
    for (int i = 0; i < MAX_THREADS; i++)
        sem_init(&thr[i].go, 0, 0);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, STACK_SIZE);
}
#endif

int main(int argc, char **argv)
{
    heap_base = (uintptr_t)sbrk(0); /* before anything else */

    if (argc == 3 && strcmp(argv[2], "--malloc-stats") == 0)
        want_malloc_stats = 1;
    else if (argc != 2) {
        static const char usage[] = "usage: replay TRACEFILE [--malloc-stats]\n";
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

    cursor = data;
    trace_end = data + len;
#ifdef THREADS
    start_threads();
    if (run_ops(0))
        finish(); /* main read the last line */
    return 0;     /* not reached: the thread reading the last line ends the process */
#else
    struct tok t[MAX_TOK];
    int n;
    while ((n = next_op(t)) > 0) {
        run_line(t, n);
        /* one write per op: if glibc aborts (SIGABRT) the output up to the failing op survives */
        out_flush();
    }
#endif
    finish();
    return 0;
}
