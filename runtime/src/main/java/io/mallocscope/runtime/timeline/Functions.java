package io.mallocscope.runtime.timeline;

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

    private static final String[] NAMES = {"malloc", "free", "calloc", "realloc", "reallocarray", "memalign",
            "aligned_alloc", "posix_memalign", "valloc", "pvalloc", "malloc_usable_size", "malloc_trim", "mallopt",
            "mallinfo2", "mallinfo", "malloc_stats", "malloc_info", "brk", "sbrk", "mmap", "munmap", "mremap",
            "mprotect", "sys_brk"};
    // argument kinds, then ':' and the result kind
    private static final String[] SIGNATURES = {"U:P", "P:-", "UU:P", "PU:P", "PUU:P", "UU:P", "UU:P", "PUU:S",
            "U:P", "U:P", "P:U", "U:S", "SS:S", "", "", "", "SS:S", "P:S", "S:P", "PUSSSS:P", "PU:S", "PUUSP:P",
            "PUS:S", "P:P"};
    static final char[][] ARGS = new char[NAMES.length][];
    static final char[] RESULTS = new char[NAMES.length];

    static {
        for (int i = 0; i < NAMES.length; i++) {
            String s = SIGNATURES[i].isEmpty() ? ":-" : SIGNATURES[i];
            int colon = s.indexOf(':');
            ARGS[i] = s.substring(0, colon).toCharArray();
            RESULTS[i] = s.charAt(colon + 1);
        }
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
