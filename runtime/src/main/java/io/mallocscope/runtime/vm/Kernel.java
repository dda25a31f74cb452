package io.mallocscope.runtime.vm;

import static io.mallocscope.runtime.vm.AddressSpace.PAGE_SIZE;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_READ;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE;
import static io.mallocscope.runtime.vm.AddressSpace.USER_END;

/**
 * The system calls the allocator and programs use, with Linux x86_64 semantics: {@code brk} and
 * glibc's {@code sbrk} wrapper, anonymous private {@code mmap}, {@code munmap}, {@code mremap},
 * {@code mprotect}. Calls that fail set {@link #errno()} and return what the C wrappers return
 * ({@code -1}, {@code MAP_FAILED}).
 *
 * <p>Two limits can be set: a data limit on the program break (like {@code RLIMIT_DATA} on Linux
 * before 4.7, where it did not count anonymous mmaps, so that a failing {@code brk} and glibc's
 * fallback to {@code mmap} can be exercised) and an address-space limit on all mappings (like
 * {@code RLIMIT_AS}).
 */
public final class Kernel {
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int EFAULT = 14;
    public static final int EBADF = 9;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    public static final long MAP_FAILED = -1L;

    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;

    /** "No limit", as RLIM_INFINITY. */
    public static final long UNLIMITED = -1L;

    private static final long PAGE_MASK = PAGE_SIZE - 1;

    private final AddressSpace as;
    private final long startBrk;
    private long brk;
    private long dataLimit = UNLIMITED;
    private long addressSpaceLimit = UNLIMITED;
    private int errno;

    /** A fresh process image for {@code programName}: program, libraries, stack; no heap yet. */
    public Kernel(AddressSpace as, String programName) {
        this.as = as;
        Layout.populate(as, programName);
        this.startBrk = Layout.INITIAL_BRK;
        this.brk = startBrk;
    }

    public AddressSpace addressSpace() {
        return as;
    }

    public int errno() {
        return errno;
    }

    public void setErrno(int value) {
        errno = value;
    }

    /** The break the process started with (the kernel's {@code mm->start_brk}). */
    public long startBrk() {
        return startBrk;
    }

    /** The current program break. */
    public long currentBrk() {
        return brk;
    }

    /** Bytes the break may rise above its start (plus the program's data page), or {@link #UNLIMITED}. */
    public void setDataLimit(long bytes) {
        dataLimit = bytes;
    }

    public long dataLimit() {
        return dataLimit;
    }

    /** Total bytes of mappings the process may have, or {@link #UNLIMITED}. */
    public void setAddressSpaceLimit(long bytes) {
        addressSpaceLimit = bytes;
    }

    public long addressSpaceLimit() {
        return addressSpaceLimit;
    }

    // ---------------------------------------------------------------- brk

    /**
     * The raw {@code brk} system call: moves the break to {@code addr} and returns the new break,
     * or returns the current break unchanged when the move is refused (as Linux does).
     */
    public long sysBrk(long addr) {
        return doBrk(addr);
    }

    /** glibc's {@code brk()}: 0 on success; -1 with errno ENOMEM when the break could not reach addr. */
    public int brk(long addr) {
        long newBrk = doBrk(addr);
        if (Long.compareUnsigned(newBrk, addr) < 0) {
            errno = ENOMEM;
            return -1;
        }
        return 0;
    }

    /**
     * glibc's {@code sbrk()}: moves the break by {@code increment} (which may be negative) and
     * returns the old break, or -1 with errno ENOMEM. {@code sbrk(0)} returns the current break.
     */
    public long sbrk(long increment) {
        long old = brk;
        if (increment == 0) {
            return old;
        }
        boolean wraps = increment > 0
                ? Long.compareUnsigned(old + increment, old) < 0
                : Long.compareUnsigned(old, -increment) < 0;
        if (wraps) {
            errno = ENOMEM;
            return -1;
        }
        long target = old + increment;
        long newBrk = doBrk(target);
        if (Long.compareUnsigned(newBrk, target) < 0) {
            errno = ENOMEM;
            return -1;
        }
        return old;
    }

    private long doBrk(long addr) {
        if (Long.compareUnsigned(addr, startBrk) < 0) {
            return brk;
        }
        if (dataLimit != UNLIMITED
                && Long.compareUnsigned((addr - startBrk) + (Layout.BSS_END - Layout.DATA_START), dataLimit) > 0) {
            return brk;
        }
        long newTop = pageAlign(addr);
        long oldTop = pageAlign(brk);
        if (Long.compareUnsigned(newTop, USER_END) > 0 || newTop == 0) {
            return brk;
        }
        if (newTop == oldTop) {
            brk = addr;
            return brk;
        }
        if (Long.compareUnsigned(addr, brk) <= 0) {
            as.unmap(newTop, oldTop);
            brk = addr;
            return brk;
        }
        // growing: the new pages plus one guard page must not run into the next mapping
        if (!as.isFree(oldTop, newTop + PAGE_SIZE)) {
            return brk;
        }
        if (!fitsAddressSpaceLimit(newTop - oldTop)) {
            return brk;
        }
        as.map(oldTop, newTop, PROT_READ | PROT_WRITE, "[heap]");
        brk = addr;
        return brk;
    }

    // ---------------------------------------------------------------- mmap family

    /**
     * {@code mmap(addr, len, prot, flags, -1, offset)}. Only anonymous mappings exist here (there is
     * no file system): without {@code MAP_ANONYMOUS} the call fails with EBADF.
     */
    public long mmap(long addr, long len, int prot, int flags, int fd, long offset) {
        if (len == 0 || (offset & PAGE_MASK) != 0) {
            return fail(EINVAL);
        }
        long length = pageAlign(len);
        if (length == 0 || Long.compareUnsigned(length, len) < 0) {
            return fail(ENOMEM);
        }
        int type = flags & (MAP_SHARED | MAP_PRIVATE);
        if (type == 0 || type == (MAP_SHARED | MAP_PRIVATE)) {
            return fail(EINVAL);
        }
        if ((flags & MAP_ANONYMOUS) == 0) {
            return fail(EBADF);
        }
        if ((prot & ~(PROT_READ | PROT_WRITE | AddressSpace.PROT_EXEC)) != 0) {
            return fail(EINVAL);
        }
        if (Long.compareUnsigned(length, USER_END - Layout.MMAP_MIN) > 0) {
            return fail(ENOMEM);
        }
        boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
        long start;
        if (fixed) {
            if ((addr & PAGE_MASK) != 0) {
                return fail(EINVAL);
            }
            if (Long.compareUnsigned(addr, USER_END - length) > 0 || Long.compareUnsigned(addr, Layout.MMAP_MIN) < 0) {
                return fail(ENOMEM);
            }
            if ((flags & MAP_FIXED) == 0 && !as.isFree(addr, addr + length)) {
                return fail(17); // EEXIST
            }
            start = addr;
        } else {
            start = -1;
            if (addr != 0) {
                long hint = pageAlign(addr);
                if (Long.compareUnsigned(hint, Layout.MMAP_MIN) >= 0
                        && Long.compareUnsigned(hint, USER_END - length) <= 0
                        && hint != 0
                        && as.isFree(hint, hint + length)) {
                    start = hint;
                }
            }
            if (start == -1) {
                start = as.findFreeTopDown(length, Layout.MMAP_MIN, Layout.MMAP_BASE);
                if (start == -1) {
                    return fail(ENOMEM);
                }
            }
        }
        long replaced = fixed ? mappedBytes(start, start + length) : 0;
        if (!fitsAddressSpaceLimit(length - replaced)) {
            return fail(ENOMEM);
        }
        as.map(start, start + length, prot, "");
        return start;
    }

    /** {@code munmap(addr, len)}: 0, or -1 with EINVAL for a misaligned address or a zero length. */
    public int munmap(long addr, long len) {
        if ((addr & PAGE_MASK) != 0 || Long.compareUnsigned(addr, USER_END) > 0
                || Long.compareUnsigned(len, USER_END - addr) > 0) {
            errno = EINVAL;
            return -1;
        }
        long length = pageAlign(len);
        if (length == 0) {
            errno = EINVAL;
            return -1;
        }
        // Unmapping part of the heap does not move the break: the hole simply faults, as on Linux.
        as.unmap(addr, addr + length);
        return 0;
    }

    /**
     * {@code mremap(old, oldLen, newLen, flags[, newAddr])}: shrinks in place, grows in place when
     * the pages after the mapping are free, otherwise moves the mapping if {@code MREMAP_MAYMOVE}.
     */
    public long mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) != 0
                || ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0)
                || (oldAddr & PAGE_MASK) != 0) {
            return fail(EINVAL);
        }
        long oldLength = pageAlign(oldLen);
        long newLength = pageAlign(newLen);
        if (newLength == 0 || Long.compareUnsigned(newLength, newLen) < 0) {
            return fail(EINVAL);
        }
        Region vma = as.regionAt(oldAddr);
        if (vma == null || Long.compareUnsigned(oldLength, vma.end() - oldAddr) > 0 || oldLength == 0) {
            return fail(EFAULT);
        }
        if ((flags & MREMAP_FIXED) != 0) {
            if ((newAddr & PAGE_MASK) != 0 || rangesOverlap(oldAddr, oldLength, newAddr, newLength)) {
                return fail(EINVAL);
            }
            as.unmap(newAddr, newAddr + newLength);
            moveMapping(oldAddr, oldLength, newAddr, newLength, vma);
            return newAddr;
        }
        if (Long.compareUnsigned(oldLength, newLength) >= 0) {
            if (oldLength != newLength) {
                as.unmap(oldAddr + newLength, oldAddr + oldLength);
            }
            return oldAddr;
        }
        long delta = newLength - oldLength;
        if (oldAddr + oldLength == vma.end()
                && Long.compareUnsigned(oldAddr + newLength, USER_END) <= 0
                && as.isFree(oldAddr + oldLength, oldAddr + newLength)) {
            if (!fitsAddressSpaceLimit(delta)) {
                return fail(ENOMEM);
            }
            as.map(oldAddr + oldLength, oldAddr + newLength, vma.prot(), vma.name());
            return oldAddr;
        }
        if ((flags & MREMAP_MAYMOVE) == 0) {
            return fail(ENOMEM);
        }
        if (!fitsAddressSpaceLimit(delta)) {
            return fail(ENOMEM);
        }
        long target = as.findFreeTopDown(newLength, Layout.MMAP_MIN, Layout.MMAP_BASE);
        if (target == -1) {
            return fail(ENOMEM);
        }
        moveMapping(oldAddr, oldLength, target, newLength, vma);
        return target;
    }

    /** {@code mprotect(addr, len, prot)}: 0, or -1 with EINVAL (misaligned) or ENOMEM (unmapped pages). */
    public int mprotect(long addr, long len, int prot) {
        if ((addr & PAGE_MASK) != 0 || (prot & ~(PROT_READ | PROT_WRITE | AddressSpace.PROT_EXEC)) != 0) {
            errno = EINVAL;
            return -1;
        }
        long length = pageAlign(len);
        if (Long.compareUnsigned(addr + length, addr) < 0) {
            errno = ENOMEM;
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        if (!as.isFullyMapped(addr, addr + length)) {
            errno = ENOMEM;
            return -1;
        }
        as.protect(addr, addr + length, prot);
        return 0;
    }

    // ---------------------------------------------------------------- helpers

    private void moveMapping(long oldAddr, long oldLength, long target, long newLength, Region vma) {
        long keep = Math.min(oldLength, newLength);
        as.move(oldAddr, target, keep);
        if (newLength > keep) {
            as.map(target + keep, target + newLength, vma.prot(), vma.name());
        }
        if (oldLength > keep) {
            as.unmap(oldAddr + keep, oldAddr + oldLength);
        }
    }

    private boolean fitsAddressSpaceLimit(long extra) {
        if (addressSpaceLimit == UNLIMITED) {
            return true;
        }
        long total = 0;
        for (Region r : as.regions()) {
            if (Long.compareUnsigned(r.start(), USER_END) < 0) {
                total += r.size();
            }
        }
        return Long.compareUnsigned(total + extra, addressSpaceLimit) <= 0;
    }

    private long mappedBytes(long start, long end) {
        long total = 0;
        for (Region r : as.regions()) {
            long s = Math.max(r.start(), start);
            long e = Math.min(r.end(), end);
            if (s < e) {
                total += e - s;
            }
        }
        return total;
    }

    private static boolean rangesOverlap(long a, long aLen, long b, long bLen) {
        return Long.compareUnsigned(a, b + bLen) < 0 && Long.compareUnsigned(b, a + aLen) < 0;
    }

    private long fail(int code) {
        errno = code;
        return MAP_FAILED;
    }

    static long pageAlign(long v) {
        return (v + PAGE_MASK) & ~PAGE_MASK;
    }
}
