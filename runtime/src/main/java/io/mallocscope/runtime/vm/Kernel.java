package io.mallocscope.runtime.vm;

import static io.mallocscope.runtime.vm.AddressSpace.PAGE_SIZE;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_READ;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE;
import static io.mallocscope.runtime.vm.AddressSpace.USER_END;

import java.util.List;

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
    public static final int EPERM = 1;
    public static final int EEXIST = 17;
    public static final int EACCES = 13;
    public static final int ENODEV = 19;
    public static final int EIO = 5;
    public static final int EOVERFLOW = 75;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_TYPE = 0x0f;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    public static final long MAP_FAILED = -1L;

    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;
    public static final int MS_ASYNC = 1;
    public static final int MS_INVALIDATE = 2;
    public static final int MS_SYNC = 4;

    /** The name /proc/PID/maps gives a shared anonymous mapping (shmem behind an unlinked /dev/zero). */
    public static final String SHARED_ANON_NAME = "/dev/zero (deleted)";

    /** A protection bit mprotect accepts and ignores on x86 (System V semaphores). */
    public static final int PROT_SEM = 0x8;

    /** Linux's default {@code vm.max_map_count}. */
    public static final int DEFAULT_MAX_MAP_COUNT = 65530;

    /** "No limit", as RLIM_INFINITY. */
    public static final long UNLIMITED = -1L;

    private static final long PAGE_MASK = PAGE_SIZE - 1;

    private final AddressSpace as;
    private final KernelLayout layout;
    private final long startBrk;
    private long brk;
    private long dataLimit = UNLIMITED;
    private long addressSpaceLimit = UNLIMITED;
    private int maxMapCount = DEFAULT_MAX_MAP_COUNT;
    private int errno;
    private MappableFiles files;
    private java.io.PrintStream diagnostics = System.err;
    /** Numbers the shared memory of shared anonymous mappings (one counter for all processes of a run). */
    private java.util.function.LongSupplier shmemInodes = new java.util.concurrent.atomic.AtomicLong(1)::getAndIncrement;

    /** A fresh process image for {@code programName}: program, libraries, stack; no heap yet. */
    public Kernel(AddressSpace as, String programName) {
        this(as, programName, KernelLayout.CLASSIC);
    }

    /** A fresh process image laid out as {@code layout}'s kernel lays it out. */
    public Kernel(AddressSpace as, String programName, KernelLayout layout) {
        this(as, programName, layout, ProgramImage.SMALL);
    }

    /** A fresh process image whose program takes {@code image}'s pages, laid out as {@code layout}'s kernel does. */
    public Kernel(AddressSpace as, String programName, KernelLayout layout, ProgramImage image) {
        this.as = as;
        this.layout = layout;
        Layout.populate(as, programName, layout, image);
        as.setPageListener((address, r) -> pageMadePrivate(address, r.offsetOf(address), r.name()));
        this.startBrk = image.initialBrk();
        this.brk = startBrk;
    }

    /**
     * A copy of this kernel's per-process state for a child of {@code fork}: the address space
     * (copied, see {@link AddressSpace#copyForFork()}), the break and the limits.
     */
    public Kernel copyForFork() {
        return new Kernel(this, as.copyForFork());
    }

    private Kernel(Kernel parent, AddressSpace childSpace) {
        this.as = childSpace;
        this.layout = parent.layout;
        this.startBrk = parent.startBrk;
        this.brk = parent.brk;
        this.dataLimit = parent.dataLimit;
        this.addressSpaceLimit = parent.addressSpaceLimit;
        this.maxMapCount = parent.maxMapCount;
        this.diagnostics = parent.diagnostics;
        this.shmemInodes = parent.shmemInodes;
        childSpace.setPageListener((address, r) -> pageMadePrivate(address, r.offsetOf(address), r.name()));
    }

    /** Sets the program break as a checkpoint of a timeline's rebuilt process recorded it (no mapping changes). */
    public void restoreBreak(long brk) {
        this.brk = brk;
    }

    /** Where inode numbers for shared memory come from (the run's file system gives them). */
    public void setInodeSource(java.util.function.LongSupplier inodes) {
        this.shmemInodes = inodes;
    }

    /** Where this kernel placed the libraries and the vDSO. */
    public KernelLayout layout() {
        return layout;
    }

    public AddressSpace addressSpace() {
        return as;
    }

    /** The process's open files, which {@code mmap} of a descriptor looks up. */
    public void setFiles(MappableFiles files) {
        this.files = files;
    }

    /** Where a failed write-back is reported (the process's stderr). */
    public void setDiagnostics(java.io.PrintStream err) {
        this.diagnostics = err;
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

    /**
     * {@code vm.max_map_count}: how many mappings the process may have. As on Linux, a new mapping
     * ({@code mmap}, growing the break) fails with ENOMEM once the count is above it, and a call that
     * has to split a mapping ({@code munmap} or {@code mprotect} of part of one) once it has reached it.
     */
    public void setMaxMapCount(int count) {
        maxMapCount = count;
    }

    public int maxMapCount() {
        return maxMapCount;
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
        if (as.mapCount() > maxMapCount) {
            return brk; // do_brk_flags checks the count before trying to extend the heap's mapping
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
     * {@code mmap(addr, len, prot, flags, fd, offset)}. Without {@code MAP_ANONYMOUS} it maps the
     * file open at {@code fd} (EBADF when there is none) from {@code offset}: {@code MAP_SHARED}
     * over the file's page cache, {@code MAP_PRIVATE} copy-on-write. A shared anonymous mapping is
     * shared memory (its own page cache, as shmem), so that a forked child shares it. The checks come
     * in the kernel's order, so a call with several faults fails with the errno Linux gives it.
     * Without {@code MAP_FIXED}, a hint is rounded down to a page (x86_64) and used when the range
     * there is free; otherwise the highest free range below {@link Layout#MMAP_BASE} is taken.
     */
    public long mmap(long addr, long len, int prot, int flags, int fd, long offset) {
        if ((offset & PAGE_MASK) != 0) {
            return fail(EINVAL);
        }
        MappableFiles.Target target = null;
        if ((flags & MAP_ANONYMOUS) == 0) {
            target = files == null ? null : files.forMmap(fd);
            if (target == null) {
                return fail(EBADF);
            }
        }
        if (len == 0) {
            return fail(EINVAL);
        }
        if (target != null && Long.compareUnsigned((offset >>> AddressSpace.PAGE_SHIFT) + (pageAlign(len) >>> AddressSpace.PAGE_SHIFT),
                offset >>> AddressSpace.PAGE_SHIFT) < 0) {
            return fail(EOVERFLOW);
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0) {
            flags |= MAP_FIXED;
        }
        boolean fixed = (flags & MAP_FIXED) != 0;
        if (!fixed) {
            addr = roundHintToMin(addr);
        }
        long length = pageAlign(len);
        if (length == 0) {
            return fail(ENOMEM);
        }
        if (as.mapCount() > maxMapCount) {
            return fail(ENOMEM);
        }
        long start = unmappedArea(addr, length, fixed);
        if (start < 0) { // a negated errno
            return fail((int) -start);
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0 && !as.isFree(start, start + length)) {
            return fail(EEXIST);
        }
        int type = flags & MAP_TYPE;
        if (type != MAP_SHARED && type != MAP_PRIVATE) {
            return fail(EINVAL);
        }
        if (target != null) {
            if (type == MAP_SHARED && (prot & PROT_WRITE) != 0 && !target.writable()) {
                return fail(EACCES);
            }
            if (!target.readable()) {
                return fail(EACCES);
            }
            if (target.file() == null) {
                return fail(ENODEV);
            }
        }
        long replaced = fixed ? as.mappedBytes(start, start + length) : 0;
        if (!fitsAddressSpaceLimit(length - replaced)) {
            return fail(ENOMEM);
        }
        if (fixed) {
            writeBackRange(start, start + length, "munmap"); // MAP_FIXED unmaps what was there
        }
        // unknown protection bits are ignored by mmap (mprotect rejects them)
        int p = prot & (PROT_READ | PROT_WRITE | AddressSpace.PROT_EXEC);
        if (target != null) {
            as.mapFile(start, start + length, p, target.path(), offset, type == MAP_SHARED, target.file());
            fileMapped(start, length, offset, type == MAP_SHARED, target.path());
        } else if (type == MAP_SHARED) {
            PageCache shm = new PageCache("00:01", shmemInodes.getAsLong(), length, null);
            as.mapFile(start, start + length, p, SHARED_ANON_NAME, 0, true, shm);
        } else {
            as.map(start, start + length, p, "");
        }
        return start;
    }

    /**
     * {@code msync(addr, len, flags)}: {@code MS_SYNC} writes the dirty pages of the shared file
     * mappings in the range back to their files. {@code MS_ASYNC} writes nothing, as on Linux since
     * 2.6.19 (the pages stay dirty, /proc/self/smaps still counts them, until a later write-back:
     * MS_SYNC, munmap or exit here); {@code MS_INVALIDATE} alone changes nothing either, as on Linux,
     * where mappings always see the page cache. 0, or -1 with EINVAL (misaligned address, unknown flags, both
     * MS_SYNC and MS_ASYNC), ENOMEM (part of the range is unmapped; the mapped parts are still
     * synced) or EIO (a host file refused the write; also reported on stderr).
     */
    public int msync(long addr, long len, int flags) {
        if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0 || (addr & PAGE_MASK) != 0
                || ((flags & MS_ASYNC) != 0 && (flags & MS_SYNC) != 0)) {
            errno = EINVAL;
            return -1;
        }
        long end = addr + pageAlign(len);
        if (Long.compareUnsigned(end, addr) < 0) {
            errno = ENOMEM;
            return -1;
        }
        if (end == addr) {
            return 0;
        }
        boolean hole = false;
        boolean failed = false;
        long cursor = addr;
        while (Long.compareUnsigned(cursor, end) < 0) {
            Region r = Long.compareUnsigned(cursor, USER_END) < 0 ? as.regionAt(cursor) : null;
            if (r == null) {
                hole = true;
                Region next = nextRegion(cursor, end);
                if (next == null) {
                    break;
                }
                cursor = next.start();
                continue;
            }
            long stop = Long.compareUnsigned(r.end(), end) < 0 ? r.end() : end;
            if ((flags & MS_SYNC) != 0 && r.shared() && r.file() != null && !writeBack(r, cursor, stop, "msync")) {
                failed = true;
            }
            cursor = stop;
        }
        if (hole) {
            errno = ENOMEM;
            return -1;
        }
        if (failed) {
            errno = EIO;
            return -1;
        }
        return 0;
    }

    private Region nextRegion(long from, long end) {
        for (Region r : as.regions()) {
            if (Long.compareUnsigned(r.start(), from) > 0) {
                return Long.compareUnsigned(r.start(), end) < 0 ? r : null;
            }
        }
        return null;
    }

    /** Writes back the dirty shared file pages mapped in {@code [start, end)}; false if any write failed. */
    public boolean writeBackRange(long start, long end, String cause) {
        boolean ok = true;
        for (Region r : as.regions()) {
            if (r.shared() && r.file() != null && Long.compareUnsigned(r.start(), end) < 0
                    && Long.compareUnsigned(start, r.end()) < 0) {
                long s = Long.compareUnsigned(r.start(), start) > 0 ? r.start() : start;
                long e = Long.compareUnsigned(r.end(), end) < 0 ? r.end() : end;
                ok &= writeBack(r, s, e, cause);
            }
        }
        return ok;
    }

    /** At exit: every dirty page of every shared file mapping goes back to its file. */
    public boolean writeBackAll() {
        return writeBackRange(0, USER_END, "exit");
    }

    /**
     * Writes back the dirty pages of the file mapped by {@code r} at {@code [start, end)}, and tells
     * {@link #writtenBack}; a failure is reported on stderr. False if the host refused a page.
     */
    private boolean writeBack(Region r, long start, long end, String cause) {
        if (!(r.file() instanceof PageCache cache)) {
            return true;
        }
        long from = r.filePage(start);
        long to = r.filePage(end - 1) + 1;
        List<Long> dirty = cache.dirtyPages(from, to);
        if (dirty.isEmpty()) {
            return true;
        }
        try {
            cache.writeBack(from, to);
            writtenBack(r.name(), r.start() + ((dirty.get(0) << AddressSpace.PAGE_SHIFT) - r.offset()), dirty.size(), cause);
            return true;
        } catch (java.io.IOException e) {
            writeBackFailed(r.name(), dirty.size(), cause, e);
            return false;
        }
    }

    /** Reports on stderr that the host refused the write-back of {@code pages} pages of {@code path}. */
    public void writeBackFailed(String path, int pages, String cause, java.io.IOException e) {
        diagnostics.println("mallocscope: write-back of " + pages + " page" + (pages == 1 ? "" : "s")
                + " of " + path + " failed (" + cause + "): " + Errno.message(Errno.of(e)));
        diagnostics.flush();
    }

    /**
     * {@code path} was mapped at {@code address} ({@code length} bytes from file offset
     * {@code offset}). A point for recording; does nothing itself.
     */
    public void fileMapped(long address, long length, long offset, boolean shared, String path) {
    }

    /**
     * The page at {@code address}, of a private mapping of {@code path} at file offset
     * {@code offset}, was copied at its first store. A point for recording; does nothing itself.
     */
    public void pageMadePrivate(long address, long offset, String path) {
    }

    /**
     * Dirty pages of {@code path} went back to the file: {@code pages} of them, the first mapped at
     * {@code firstAddress}, because of {@code cause} (msync, munmap, exit, fsync). A transition point
     * for recording; does nothing itself.
     */
    public void writtenBack(String path, long firstAddress, int pages, String cause) {
    }

    /** {@code round_hint_to_min}: a non-null hint below mmap_min_addr is raised to it. */
    private static long roundHintToMin(long hint) {
        hint &= ~PAGE_MASK;
        if (hint != 0 && Long.compareUnsigned(hint, Layout.MMAP_MIN) < 0) {
            return Layout.MMAP_MIN;
        }
        return hint;
    }

    /**
     * {@code get_unmapped_area} for x86_64: the address to map {@code length} bytes at, or a negated
     * errno.
     */
    private long unmappedArea(long addr, long length, boolean fixed) {
        if (Long.compareUnsigned(length, USER_END - Layout.MMAP_MIN) > 0) {
            return -ENOMEM;
        }
        if (fixed) {
            if (Long.compareUnsigned(addr, USER_END - length) > 0) {
                return -ENOMEM;
            }
            if ((addr & PAGE_MASK) != 0) {
                return -EINVAL;
            }
            if (Long.compareUnsigned(addr, Layout.MMAP_MIN) < 0) {
                return -EPERM; // security_mmap_addr: below mmap_min_addr needs CAP_SYS_RAWIO
            }
            return addr;
        }
        if (addr != 0) {
            long hint = addr & ~PAGE_MASK;
            if (Long.compareUnsigned(hint, USER_END - length) <= 0 && as.isFree(hint, hint + length)) {
                return hint;
            }
        }
        long start = as.findFreeTopDown(length, Layout.MMAP_MIN, Layout.MMAP_BASE);
        return start == -1 ? -ENOMEM : start;
    }

    /**
     * {@code munmap(addr, len)}: 0, or -1 with EINVAL for a misaligned address, a zero length or a
     * range beyond user space. The length is rounded up to whole pages; unmapped parts of the range
     * (holes) are fine.
     */
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
        if (punchesHole(addr, addr + length) && as.mapCount() >= maxMapCount) {
            errno = ENOMEM;
            return -1;
        }
        // The simulated kernel writes a file's dirty pages back when its mapping goes (Linux's
        // flusher would, a little later), so the file on disk shows them.
        writeBackRange(addr, addr + length, "munmap");
        // Unmapping part of the heap does not move the break: the hole simply faults, as on Linux.
        as.unmap(addr, addr + length);
        return 0;
    }

    /**
     * {@code mremap(old, oldLen, newLen, flags[, newAddr])}: shrinks in place (unmapping the tail),
     * grows in place when the pages after the mapping are free, otherwise moves the mapping if
     * {@code MREMAP_MAYMOVE} allows it (ENOMEM if not). {@code MREMAP_FIXED} moves it to
     * {@code newAddr}, replacing what was there. Errors as Linux: EINVAL for bad flags, a misaligned
     * address, a zero new length or a zero old length; EFAULT when nothing is mapped at
     * {@code oldAddr} or the old range runs past its mapping.
     */
    public long mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) != 0
                || ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0)
                || (oldAddr & PAGE_MASK) != 0) {
            return fail(EINVAL);
        }
        long oldLength = pageAlign(oldLen);
        long newLength = pageAlign(newLen);
        if (newLength == 0) {
            return fail(EINVAL);
        }
        Region vma = Long.compareUnsigned(oldAddr, USER_END) < 0 ? as.regionAt(oldAddr) : null;
        if (vma == null) {
            return fail(EFAULT);
        }
        if ((flags & MREMAP_FIXED) != 0) {
            return mremapTo(oldAddr, oldLength, newLength, newAddr, vma);
        }
        if (Long.compareUnsigned(oldLength, newLength) >= 0) {
            // shrinking: the kernel simply unmaps the tail, whatever it covers
            if (oldLength != newLength) {
                as.unmap(oldAddr + newLength, oldAddr + oldLength);
            }
            return oldAddr;
        }
        long err = checkResizable(oldAddr, oldLength, newLength, vma);
        if (err != 0) {
            return fail((int) err);
        }
        long delta = newLength - oldLength;
        if (oldAddr + oldLength == vma.end()
                && Long.compareUnsigned(delta, USER_END - vma.end()) <= 0
                && as.isFree(vma.end(), vma.end() + delta)) {
            as.mapLike(vma, vma.end(), vma.end() + delta);
            return oldAddr;
        }
        if ((flags & MREMAP_MAYMOVE) == 0) {
            return fail(ENOMEM);
        }
        if (as.mapCount() >= maxMapCount - 3) {
            return fail(ENOMEM); // move_vma keeps room for the splits a move may need
        }
        long target = as.findFreeTopDown(newLength, Layout.MMAP_MIN, Layout.MMAP_BASE);
        if (target == -1) {
            return fail(ENOMEM);
        }
        moveMapping(oldAddr, oldLength, target, newLength, vma);
        return target;
    }

    private long mremapTo(long oldAddr, long oldLength, long newLength, long newAddr, Region vma) {
        if ((newAddr & PAGE_MASK) != 0 || Long.compareUnsigned(newLength, USER_END) > 0
                || Long.compareUnsigned(newAddr, USER_END - newLength) > 0
                || rangesOverlap(oldAddr, oldLength, newAddr, newLength)) {
            return fail(EINVAL);
        }
        if (Long.compareUnsigned(newAddr, Layout.MMAP_MIN) < 0) {
            return fail(EPERM);
        }
        as.unmap(newAddr, newAddr + newLength);
        if (Long.compareUnsigned(oldLength, newLength) > 0) {
            as.unmap(oldAddr + newLength, oldAddr + oldLength);
            oldLength = newLength;
        }
        vma = as.regionAt(oldAddr);
        long err = checkResizable(oldAddr, oldLength, newLength, vma);
        if (err != 0) {
            return fail((int) err);
        }
        moveMapping(oldAddr, oldLength, newAddr, newLength, vma);
        return newAddr;
    }

    /** {@code vma_to_resize}: 0, or the errno that stops the old range from being resized. */
    private long checkResizable(long oldAddr, long oldLength, long newLength, Region vma) {
        if (Long.compareUnsigned(oldLength, vma.end() - oldAddr) > 0) {
            return EFAULT; // a remap may not cross the end of its mapping
        }
        if (oldLength == 0) {
            return EINVAL; // "duplicate" is only for shared mappings
        }
        if (Long.compareUnsigned(newLength, oldLength) > 0 && !fitsAddressSpaceLimit(newLength - oldLength)) {
            return ENOMEM;
        }
        return 0;
    }

    /**
     * {@code mprotect(addr, len, prot)}: 0, or -1 with EINVAL (misaligned address, unknown bits in
     * prot) or ENOMEM (range wraps, or part of it is unmapped). As on Linux, when the range runs into
     * a hole the mapped part before the hole has already been changed.
     */
    public int mprotect(long addr, long len, int prot) {
        if ((addr & PAGE_MASK) != 0) {
            errno = EINVAL;
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        long length = pageAlign(len);
        long end = addr + length;
        if (Long.compareUnsigned(end, addr) <= 0) {
            errno = ENOMEM;
            return -1;
        }
        if ((prot & ~(PROT_READ | PROT_WRITE | AddressSpace.PROT_EXEC | PROT_SEM)) != 0) {
            errno = EINVAL;
            return -1;
        }
        int newProt = prot & (PROT_READ | PROT_WRITE | AddressSpace.PROT_EXEC);
        int cuts = splits(addr, end, newProt);
        if (cuts > 0 && as.mapCount() + cuts - 1 >= maxMapCount) {
            errno = ENOMEM;
            return -1;
        }
        long cursor = addr;
        while (Long.compareUnsigned(cursor, end) < 0) {
            Region r = Long.compareUnsigned(cursor, USER_END) < 0 ? as.regionAt(cursor) : null;
            if (r == null) {
                errno = ENOMEM;
                return -1;
            }
            long stop = Long.compareUnsigned(r.end(), end) < 0 ? r.end() : end;
            as.protect(cursor, stop, newProt);
            cursor = stop;
        }
        return 0;
    }

    // ---------------------------------------------------------------- helpers

    private void moveMapping(long oldAddr, long oldLength, long target, long newLength, Region vma) {
        long keep = Math.min(oldLength, newLength);
        as.move(oldAddr, target, keep);
        if (newLength > keep) {
            as.mapLike(new Region(target, target + keep, vma.prot(), vma.name(), vma.offsetOf(oldAddr),
                    vma.shared(), vma.file()), target + keep, target + newLength);
        }
        if (oldLength > keep) {
            as.unmap(oldAddr + keep, oldAddr + oldLength);
        }
    }

    /**
     * How many mappings mprotect has to cut to give {@code [start, end)} the protection {@code prot}:
     * one for each end of the range that lies inside a mapping whose protection changes. Linux refuses
     * each cut once the count has reached vm.max_map_count (a first cut may stay done when the second
     * is refused; here neither is made).
     */
    private int splits(long start, long end, int prot) {
        int n = 0;
        Region first = Long.compareUnsigned(start, USER_END) < 0 ? as.regionAt(start) : null;
        if (first != null && first.start() != start && first.prot() != prot) {
            n++;
        }
        Region last = Long.compareUnsigned(end - 1, USER_END) < 0 ? as.regionAt(end - 1) : null;
        if (last != null && last.end() != end && last.prot() != prot) {
            n++;
        }
        return n;
    }

    /** True if unmapping {@code [start, end)} leaves one mapping in two pieces (cutting a head or tail off does not). */
    private boolean punchesHole(long start, long end) {
        Region r = Long.compareUnsigned(start, USER_END) < 0 ? as.regionAt(start) : null;
        return r != null && r.start() != start && Long.compareUnsigned(end, r.end()) < 0;
    }

    private boolean fitsAddressSpaceLimit(long extra) {
        if (addressSpaceLimit == UNLIMITED) {
            return true;
        }
        long total = as.mappedTotal();
        return Long.compareUnsigned(total + extra, addressSpaceLimit) <= 0;
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
