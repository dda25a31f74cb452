package io.mallocscope.c;

/**
 * {@code qsort} as glibc 2.36's (stdlib/msort.c): a top-down merge sort whose comparisons, their order
 * and count, are the native ones, with its temporary array where glibc has it: on the stack below
 * qsort's frame when it is under 1024 bytes, else malloc'ed (and freed at the end); elements over 32
 * bytes sorted through an array of pointers to them, then moved into place by cycles. The comparison
 * function runs where glibc calls it: its frame below qsort's (160 bytes: return address, six pushes,
 * 0x68) and the temporary array (alloca rounds it up with 23 bytes to 16), then 112 bytes for each
 * level of msort_with_tmp's recursion (all measured with {@code __builtin_frame_address(0)}), its
 * return address the call in msort_with_tmp of the variant the element size and alignment choose.
 */
final class Qsort {
    /** Below the stack pointer at the call of qsort (which jumps to qsort_r): the return address, rbp, five pushes, 0x68. */
    private static final long QSORT_R_FRAME = 160;
    /** Each msort_with_tmp level: its return address and its frame. */
    private static final long MSORT_FRAME = 112;
    /** The return addresses of the comparison's calls in msort_with_tmp, as offsets into libc, by variant (p.var). */
    private static final long[] COMPARE_RETURN = {0x3fbf4, 0x3fb9d, 0x3faf1, 0x3fa75, 0x3fc50};
    /** The temporary array's size from which glibc mallocs it. */
    private static final long ON_STACK_BELOW = 1024;

    private final Machine m;
    private final Function cmp;
    private final Expr.Call site;
    private final long callSp;
    private final long callerRbp;
    private long stackTop;
    private long s;
    private int var;
    private long t;

    private Qsort(Machine m, Function cmp, Expr.Call site, long callerRbp) {
        this.m = m;
        this.cmp = cmp;
        this.site = site;
        this.callSp = m.rsp;
        this.callerRbp = callerRbp;
    }

    /** {@code qsort(b, n, size, cmp)}. */
    static void qsort(Machine m, long b, long n, long size, long cmpAddress, Expr.Call site) {
        // qsort_r's own rbp (push rbp; mov rsp, rbp after the return address) as the saved one
        new Qsort(m, m.functionAt(cmpAddress, site), site, m.rsp - 16).sort(b, n, size);
    }

    private void sort(long b, long n, long size) {
        long bytes = n * size;
        boolean indirect = Long.compareUnsigned(size, 32) > 0;
        if (indirect) {
            bytes = 2 * n * 8 + size;
        }
        long tmp = 0;
        if (Long.compareUnsigned(bytes, ON_STACK_BELOW) < 0) {
            long alloca = (bytes + 23) & -16;
            t = callSp - QSORT_R_FRAME - alloca;
            stackTop = t;
        } else {
            if (Long.compareUnsigned(bytes, 1L << 40) > 0) {
                throw new UnsupportedAtRunTime("qsort of " + bytes + " bytes (glibc would fall back to its quicksort)");
            }
            int saved = m.libc.errno();
            m.resay();
            tmp = m.libc.malloc(bytes);
            m.process.kernel().setErrno(saved);
            if (tmp == 0) {
                throw new UnsupportedAtRunTime("qsort whose temporary array malloc cannot give (glibc would fall back"
                        + " to its quicksort)");
            }
            t = tmp;
            stackTop = callSp - QSORT_R_FRAME;
        }
        m.growStack(stackTop - 16);
        s = size;
        var = 4;
        if (indirect) {
            long tp = t + n * 8;
            for (long i = 0; i < n; i++) {
                m.libc.putLong(tp + 8 * i, b + i * size);
            }
            s = 8;
            var = 3;
            msort(tp, n, 0);
            long storage = tp + n * 8;
            long ip = b;
            for (long i = 0; i < n; i++, ip += size) {
                long kp = m.mem.read64(tp + 8 * i);
                if (kp == ip) {
                    continue;
                }
                long j = i;
                long jp = ip;
                m.libc.memcpy(storage, ip, size);
                do {
                    long k = Long.divideUnsigned(kp - b, size);
                    m.libc.putLong(tp + 8 * j, jp);
                    m.libc.memcpy(jp, kp, size);
                    j = k;
                    jp = kp;
                    kp = m.mem.read64(tp + 8 * k);
                } while (kp != ip);
                m.libc.putLong(tp + 8 * j, jp);
                m.libc.memcpy(jp, storage, size);
            }
        } else {
            if ((size & 3) == 0 && (b & 3) == 0) {
                if (size == 4) {
                    var = 0;
                } else if (size == 8 && (b & 7) == 0) {
                    var = 1;
                } else if ((size & 7) == 0 && (b & 7) == 0) {
                    var = 2;
                }
            }
            msort(b, n, 0);
        }
        if (tmp != 0) {
            m.resay(); // after the comparison function's own calls
            m.libc.free(tmp);
        }
    }

    /** msort_with_tmp at recursion level {@code depth}: sorts both halves, then merges them through t. */
    private void msort(long b, long n, int depth) {
        if (Long.compareUnsigned(n, 1) <= 0) {
            return;
        }
        long n1 = n / 2;
        long n2 = n - n1;
        long b1 = b;
        long b2 = b + n1 * s;
        msort(b1, n1, depth + 1);
        msort(b2, n2, depth + 1);
        long tmp = t;
        while (n1 > 0 && n2 > 0) {
            long x = var == 3 ? m.mem.read64(b1) : b1;
            long y = var == 3 ? m.mem.read64(b2) : b2;
            if (compare(x, y, depth) <= 0) {
                m.libc.memcpy(tmp, b1, s);
                b1 += s;
                n1--;
            } else {
                m.libc.memcpy(tmp, b2, s);
                b2 += s;
                n2--;
            }
            tmp += s;
        }
        if (n1 > 0) {
            m.libc.memcpy(tmp, b1, n1 * s);
        }
        m.libc.memcpy(b, t, (n - n2) * s);
    }

    private int compare(long x, long y, int depth) {
        long sp = stackTop - MSORT_FRAME * (depth + 1);
        long ra = m.kl.libcBase() + COMPARE_RETURN[var];
        CType ptr = CType.ptr(CType.VOID);
        return (int) m.callFromLibc(cmp, new long[] {x, y}, new CType[] {ptr, ptr}, sp, ra, site, callerRbp);
    }
}
