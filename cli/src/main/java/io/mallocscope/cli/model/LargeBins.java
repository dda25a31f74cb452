package io.mallocscope.cli.model;

/**
 * glibc's large-bin geometry on x86_64 ({@code largebin_index_64}): which sizes each of bins 64…126
 * holds. pwndbg labels a large bin by its range ({@code 0x400-0x430}); the json view keys it by the
 * lowest size.
 */
public final class LargeBins {
    public static final int FIRST = 64;
    public static final int LAST = 126;
    private static final long[] MIN = new long[LAST + 2];

    static {
        java.util.Arrays.fill(MIN, -1);
        for (long sz = 0x400; sz <= 0x100000; sz += 0x10) {
            int i = index(sz);
            if (MIN[i] < 0) {
                MIN[i] = sz;
            }
        }
    }

    private LargeBins() {
    }

    /** {@code largebin_index_64(sz)}. */
    public static int index(long sz) {
        if ((sz >>> 6) <= 48) {
            return 48 + (int) (sz >>> 6);
        }
        if ((sz >>> 9) <= 20) {
            return 91 + (int) (sz >>> 9);
        }
        if ((sz >>> 12) <= 10) {
            return 110 + (int) (sz >>> 12);
        }
        if ((sz >>> 15) <= 4) {
            return 119 + (int) (sz >>> 15);
        }
        if ((sz >>> 18) <= 2) {
            return 124 + (int) (sz >>> 18);
        }
        return 126;
    }

    /** The smallest chunk size bin {@code index} holds. */
    public static long minSize(int index) {
        return MIN[index];
    }

    /** The largest chunk size bin {@code index} holds ({@code Long.MAX_VALUE & ~0xf} for the last). */
    public static long maxSize(int index) {
        return index >= LAST ? Long.MAX_VALUE & ~0xfL : MIN[index + 1] - 0x10;
    }
}
