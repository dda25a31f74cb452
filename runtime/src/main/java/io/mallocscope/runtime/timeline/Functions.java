package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.LibC;

/**
 * The LibC functions and kernel calls a timeline names, by number. The number is what the file
 * stores; the signature says how each argument and the result are encoded: {@code P} a pointer
 * (delta against the previous address), {@code U} an unsigned size, {@code S} a signed integer,
 * {@code -} no result.
 */
public final class Functions {
    private Functions() {
    }

    public static final int MALLOC = 0;
    public static final int FREE = 1;
    public static final int CALLOC = 2;
    public static final int REALLOC = 3;
    public static final int REALLOCARRAY = 4;
    public static final int MEMALIGN = 5;
    public static final int ALIGNED_ALLOC = 6;
    public static final int POSIX_MEMALIGN = 7;
    public static final int VALLOC = 8;
    public static final int PVALLOC = 9;
    public static final int MALLOC_USABLE_SIZE = 10;
    public static final int MALLOC_TRIM = 11;
    public static final int MALLOPT = 12;
    public static final int MALLINFO2 = 13;
    public static final int MALLINFO = 14;
    public static final int MALLOC_STATS = 15;
    public static final int MALLOC_INFO = 16;
    public static final int BRK = 17;
    public static final int SBRK = 18;
    public static final int MMAP = 19;
    public static final int MUNMAP = 20;
    public static final int MREMAP = 21;
    public static final int MPROTECT = 22;
    /** The raw brk system call (returns the new break), as the allocator uses it. */
    public static final int SYS_BRK = 23;
    /**
     * Threads and processes (format version 4): {@code pthread_create(thread, stacksize, guardsize)} (the
     * attribute's sizes, 0 and 4096 for the default one; the DTV's calloc and the stack's mmap nest
     * inside); {@code pthread_join(thread, retval)} and {@code pthread_detach(thread)} (a join is recorded
     * when it returns, after the thread it waited for has ended); {@code pthread_exit(value)}, a thread
     * ending (returning from its start routine is an implicit {@code pthread_exit}): glibc's
     * {@code __libc_thread_freeres}, whose tcache_thread_shutdown frees nest inside; {@code fork()}
     * returning the child's pid (the child's events follow under its own pid);
     * {@code waitpid(pid, wstatus, options, status)} (and {@code wait}), recorded when it returns, with the
     * wait status it stored at {@code wstatus} (the child's exit code in bits 8–15, or its signal).
     */
    public static final int PTHREAD_CREATE = 24;
    public static final int PTHREAD_JOIN = 25;
    public static final int PTHREAD_DETACH = 26;
    public static final int PTHREAD_EXIT = 27;
    public static final int FORK = 28;
    public static final int WAITPID = 29;

    private static final boolean LIBC = true;
    private static final boolean KERNEL = false;
    private static final boolean THREADS = false;

    /**
     * One row per function, in number order (the file stores the number; the static block checks it):
     * its C name, its signature (argument kinds, then ':' and the result kind) and whether it is a
     * function of {@link LibC} (the agent records those by name) or a kernel call only the allocator
     * makes. Adding a recorded LibC function is a constant above, a row here and a case in
     * {@link #call}: the codec reads the signature, {@link Reconstructor} and
     * {@link io.mallocscope.runtime.trace.TraceRunner} call through {@link #call}.
     */
    private static final Object[][] ROWS = {
            {MALLOC, "malloc", "U:P", LIBC},
            {FREE, "free", "P:-", LIBC},
            {CALLOC, "calloc", "UU:P", LIBC},
            {REALLOC, "realloc", "PU:P", LIBC},
            {REALLOCARRAY, "reallocarray", "PUU:P", LIBC},
            {MEMALIGN, "memalign", "UU:P", LIBC},
            {ALIGNED_ALLOC, "aligned_alloc", "UU:P", LIBC},
            {POSIX_MEMALIGN, "posix_memalign", "PUU:S", LIBC},
            {VALLOC, "valloc", "U:P", LIBC},
            {PVALLOC, "pvalloc", "U:P", LIBC},
            {MALLOC_USABLE_SIZE, "malloc_usable_size", "P:U", LIBC},
            {MALLOC_TRIM, "malloc_trim", "U:S", LIBC},
            {MALLOPT, "mallopt", "SS:S", LIBC},
            {MALLINFO2, "mallinfo2", ":-", LIBC},
            {MALLINFO, "mallinfo", ":-", LIBC},
            {MALLOC_STATS, "malloc_stats", ":-", LIBC},
            {MALLOC_INFO, "malloc_info", "SS:S", LIBC},
            {BRK, "brk", "P:S", LIBC},
            {SBRK, "sbrk", "S:P", LIBC},
            {MMAP, "mmap", "PUSSSS:P", LIBC},
            {MUNMAP, "munmap", "PU:S", LIBC},
            {MREMAP, "mremap", "PUUSP:P", LIBC},
            {MPROTECT, "mprotect", "PUS:S", LIBC},
            {SYS_BRK, "sys_brk", "P:P", KERNEL},
            // threads and processes (version 4): the agent records these with advice of their own (a join
            // and a wait as they return, a thread's end around __libc_thread_freeres), ReplayContexts replays them
            {PTHREAD_CREATE, "pthread_create", "PUU:S", THREADS},
            {PTHREAD_JOIN, "pthread_join", "PP:S", THREADS},
            {PTHREAD_DETACH, "pthread_detach", "P:S", LIBC},
            {PTHREAD_EXIT, "pthread_exit", "U:-", THREADS},
            {FORK, "fork", ":S", THREADS},
            {WAITPID, "waitpid", "SPSU:S", THREADS},
    };
    private static final String[] NAMES = new String[ROWS.length];
    private static final boolean[] IN_LIBC = new boolean[ROWS.length];
    static final char[][] ARGS = new char[ROWS.length][];
    static final char[] RESULTS = new char[ROWS.length];

    static {
        for (int i = 0; i < ROWS.length; i++) {
            if ((int) ROWS[i][0] != i) {
                throw new IllegalStateException("Functions row " + i + " is numbered " + ROWS[i][0]);
            }
            NAMES[i] = (String) ROWS[i][1];
            String s = (String) ROWS[i][2];
            int colon = s.indexOf(':');
            ARGS[i] = s.substring(0, colon).toCharArray();
            RESULTS[i] = s.charAt(colon + 1);
            IN_LIBC[i] = (boolean) ROWS[i][3];
        }
    }

    /**
     * Calls LibC function {@code fn} on {@code c} with the arguments a timeline holds: the one table of
     * calls by number. Returns the result (0 for void and for the calls that only look and print:
     * mallinfo, mallinfo2, malloc_stats, malloc_info have nothing to replay).
     *
     * <p>A switch, not a table of lambdas: building lambdas over {@code LibC} would load it when this
     * class loads, and the agent reads this class while it instruments {@code LibC}.
     *
     * @throws IllegalArgumentException for a number that is not a LibC function
     */
    public static long call(LibC c, int fn, long[] a) {
        return switch (isLibCCall(fn) ? fn : -1) {
            case MALLOC -> c.malloc(a[0]);
            case FREE -> {
                c.free(a[0]);
                yield 0;
            }
            case CALLOC -> c.calloc(a[0], a[1]);
            case REALLOC -> c.realloc(a[0], a[1]);
            case REALLOCARRAY -> c.reallocarray(a[0], a[1], a[2]);
            case MEMALIGN -> c.memalign(a[0], a[1]);
            case ALIGNED_ALLOC -> c.aligned_alloc(a[0], a[1]);
            case POSIX_MEMALIGN -> c.posix_memalign(a[0], a[1], a[2]);
            case VALLOC -> c.valloc(a[0]);
            case PVALLOC -> c.pvalloc(a[0]);
            case MALLOC_USABLE_SIZE -> c.malloc_usable_size(a[0]);
            case MALLOC_TRIM -> c.malloc_trim(a[0]);
            case MALLOPT -> c.mallopt((int) a[0], (int) a[1]);
            case MALLINFO2, MALLINFO, MALLOC_STATS, MALLOC_INFO -> 0;
            case BRK -> c.brk(a[0]);
            case SBRK -> c.sbrk(a[0]);
            case MMAP -> c.mmap(a[0], a[1], (int) a[2], (int) a[3], (int) a[4], a[5]);
            case MUNMAP -> c.munmap(a[0], a[1]);
            case MREMAP -> c.mremap(a[0], a[1], a[2], (int) a[3], a[4]);
            case MPROTECT -> c.mprotect(a[0], a[1], (int) a[2]);
            case PTHREAD_DETACH -> c.pthread_detach(a[0]);
            default -> throw new IllegalArgumentException(name(fn) + " is not a LibC function");
        };
    }

    /** Whether {@code fn} is a function of {@link LibC} (the agent records its calls), not a kernel call. */
    public static boolean isLibCCall(int fn) {
        return fn >= 0 && fn < IN_LIBC.length && IN_LIBC[fn];
    }

    /** How many functions are known. */
    public static int count() {
        return NAMES.length;
    }

    /** The C name ("malloc", "posix_memalign", "sys_brk" …); "?" for an unknown number. */
    public static String name(int fn) {
        return fn >= 0 && fn < NAMES.length ? NAMES[fn] : "?";
    }

    /** The number of a C name, or -1. */
    public static int byName(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** How many arguments the function's events carry. */
    public static int arity(int fn) {
        return ARGS[fn].length;
    }

    /** Whether the function has a result worth recording. */
    public static boolean hasResult(int fn) {
        return RESULTS[fn] != '-';
    }

    /** Whether argument {@code i} is a pointer (printed in hex). */
    public static boolean isPointerArg(int fn, int i) {
        return ARGS[fn][i] == 'P';
    }

    /** Whether the result is a pointer (printed in hex). */
    public static boolean isPointerResult(int fn) {
        return RESULTS[fn] == 'P';
    }

    /** Whether argument {@code i} is a signed integer (printed as such; the others are unsigned). */
    public static boolean isSignedArg(int fn, int i) {
        return ARGS[fn][i] == 'S';
    }

    /** Whether the result is a signed integer. */
    public static boolean isSignedResult(int fn) {
        return RESULTS[fn] == 'S';
    }

    /** Whether a result of this signedness prints as a signed number. */
    static boolean isSigned(char kind) {
        return kind == 'S';
    }
}
