package io.mallocscope.runtime;

import io.mallocscope.runtime.malloc.Mallinfo2;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.memcheck.Memcheck;
import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.fs.Stat;
import io.mallocscope.runtime.fs.Vfs;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Errno;
import io.mallocscope.runtime.vm.Kernel;
import io.mallocscope.runtime.vm.Layout;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The C library a simulated program is written against. Pointers are {@code long}s holding
 * addresses in the simulated process; every load and store goes through its page tables, so a bad
 * pointer faults as it would in C.
 *
 * <p>Function names follow C's ({@code malloc}, {@code memcpy}, {@code printf} …); where C needs
 * a type in an expression ({@code *(size_t *)p = v}) LibC has a typed method ({@link #putLong}).
 */
public final class LibC {
    /** {@code stdin}: not writable; {@code fprintf(STDIN, …)} fails with EBADF. */
    public static final int STDIN = 0;
    /** {@code stdout}, for {@link #fprintf(int, String, Object...)}. */
    public static final int STDOUT = 1;
    /** {@code stderr}, for {@link #fprintf(int, String, Object...)}. */
    public static final int STDERR = 2;

    public static final int PROT_NONE = AddressSpace.PROT_NONE;
    public static final int PROT_READ = AddressSpace.PROT_READ;
    public static final int PROT_WRITE = AddressSpace.PROT_WRITE;
    public static final int PROT_EXEC = AddressSpace.PROT_EXEC;
    public static final int MAP_SHARED = Kernel.MAP_SHARED;
    public static final int MAP_PRIVATE = Kernel.MAP_PRIVATE;
    public static final int MAP_FIXED = Kernel.MAP_FIXED;
    public static final int MAP_ANONYMOUS = Kernel.MAP_ANONYMOUS;
    public static final int MAP_NORESERVE = Kernel.MAP_NORESERVE;
    public static final int MAP_FIXED_NOREPLACE = Kernel.MAP_FIXED_NOREPLACE;
    public static final long MAP_FAILED = Kernel.MAP_FAILED;
    public static final int MREMAP_MAYMOVE = Kernel.MREMAP_MAYMOVE;
    public static final int MREMAP_FIXED = Kernel.MREMAP_FIXED;
    public static final long NULL = 0L;
    public static final int MS_ASYNC = Kernel.MS_ASYNC;
    public static final int MS_INVALIDATE = Kernel.MS_INVALIDATE;
    public static final int MS_SYNC = Kernel.MS_SYNC;

    /** {@code open} flags, with Linux x86_64's values. */
    public static final int O_RDONLY = Vfs.O_RDONLY;
    public static final int O_WRONLY = Vfs.O_WRONLY;
    public static final int O_RDWR = Vfs.O_RDWR;
    public static final int O_CREAT = Vfs.O_CREAT;
    public static final int O_EXCL = Vfs.O_EXCL;
    public static final int O_TRUNC = Vfs.O_TRUNC;
    public static final int O_APPEND = Vfs.O_APPEND;
    public static final int O_DIRECTORY = Vfs.O_DIRECTORY;
    public static final int O_NOFOLLOW = Vfs.O_NOFOLLOW;
    public static final int O_CLOEXEC = Vfs.O_CLOEXEC;
    public static final int SEEK_SET = Vfs.SEEK_SET;
    public static final int SEEK_CUR = Vfs.SEEK_CUR;
    public static final int SEEK_END = Vfs.SEEK_END;

    /** {@code mallopt} parameters, with glibc's numbers. */
    public static final int M_MXFAST = 1;
    public static final int M_TRIM_THRESHOLD = -1;
    public static final int M_TOP_PAD = -2;
    public static final int M_MMAP_THRESHOLD = -3;
    public static final int M_MMAP_MAX = -4;
    public static final int M_CHECK_ACTION = -5;
    public static final int M_PERTURB = -6;
    public static final int M_ARENA_TEST = -7;
    public static final int M_ARENA_MAX = -8;

    private final CProcess process;
    private final AddressSpace mem;
    private final Kernel kernel;
    private final Vfs files;
    private final Malloc malloc;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean stdoutIsTerminal;

    private boolean stdoutBufferAllocated;
    private boolean stdoutUnbuffered;
    /** stdout's buffer in the heap (0 until the first output), its size, and the write pointer's offset in it. */
    private long stdoutBuffer;
    private int stdoutBufferSize;
    private int stdoutPos;
    /**
     * What stdout's buffer holds and has not written yet (its last {@link #stdoutPos} bytes of output): it
     * reaches the process's stdout when glibc would write it (the buffer full, a newline on a terminal,
     * fflush, exit), and is lost by {@link #_exit} or a signal, as in C. A recorder's {@link StdoutTap} is
     * told of each piece when it is printed. Its first {@link #stdoutHeldLength} bytes are held.
     */
    private byte[] stdoutHeld = new byte[0];
    private int stdoutHeldLength;
    /** Set by {@link #_exit}: the process ends without flushing stdio. */
    private boolean exitWithoutFlush;
    /** The stdout sink buffers as glibc does itself ({@link StdoutFrontEnd}): output is written through. */
    private final boolean stdoutFrontEnd;
    /** A recorder's tap on stdout ({@link StdoutTap}), told of output as it is printed; null without one. */
    private final StdoutTap tap;
    /** The running thread's stack pointer and the lowest address its stack may reach (PThreads switches both). */
    long stackPointer = Layout.STACK_TOP_OF_MAIN;
    long stackLowest = Layout.STACK_END - Layout.STACK_LIMIT;
    /** The process's threads, made by the first pthread call. */
    private PThreads threads;
    /** A forked child's copy of its parent's semaphores (address to value), until its first pthread call. */
    private Map<Long, Long> inheritedSemaphores;
    /** Bounce buffer for memmove: one allocation per process, not per call. */
    private final byte[] scratch = new byte[(int) AddressSpace.PAGE_SIZE];
    private long dataNext = Layout.DATA_START + 0x10;
    private long bssNext = Layout.BSS_START;
    private final Map<String, Long> symbols = new LinkedHashMap<>();
    private final Map<String, Long> functions = new LinkedHashMap<>();
    /** The {@link AllocationListener}s, or null when there are none (nearly always). */
    private AllocationListener[] listeners;
    /** Set while {@link #mallocUnreported} calls malloc: its caller tells the listeners about that block. */
    private boolean mallocReportedByCaller;
    /**
     * The memcheck shadow, or null when memcheck is off: then every hook below costs one read of this
     * final field and a branch the JIT predicts.
     */
    private final Memcheck mc;

    LibC(CProcess process, PrintStream out, PrintStream err, boolean stdoutIsTerminal) {
        this.process = process;
        this.kernel = process.kernel();
        this.mem = kernel.addressSpace();
        this.files = process.files();
        this.malloc = process.malloc();
        this.out = out;
        this.err = err;
        this.stdoutIsTerminal = stdoutIsTerminal;
        this.mc = process.memcheck();
        this.tap = out instanceof StdoutTap t ? t : null;
        this.stdoutFrontEnd = (tap != null ? tap.sink() : out) instanceof StdoutFrontEnd;
    }

    /** The child's library after {@code fork}: the same stdio state, stack, globals and functions. */
    LibC copyForFork(CProcess child) {
        LibC c = new LibC(child, out, err, stdoutIsTerminal);
        c.stdoutBufferAllocated = stdoutBufferAllocated;
        c.stdoutUnbuffered = stdoutUnbuffered;
        c.stdoutBuffer = stdoutBuffer;
        c.stdoutBufferSize = stdoutBufferSize;
        c.stdoutPos = stdoutPos;
        c.stdoutHeld = stdoutHeld.clone(); // as in C: what the parent held is written by both unless flushed first
        c.stdoutHeldLength = stdoutHeldLength;
        if (threads != null) {
            c.inheritedSemaphores = threads.semaphoreValues(); // their memory is copied with the rest
        }
        c.stackPointer = stackPointer;
        c.dataNext = dataNext;
        c.bssNext = bssNext;
        c.symbols.putAll(symbols);
        c.functions.putAll(functions);
        return c;
    }

    /**
     * At the end of the process: what stdio holds goes out, unless the program called {@link #_exit}
     * or a signal ended it (glibc's abort flushes no stream since 2.27; SIGSEGV runs no exit code), as
     * in C. The C front end's own buffer does the same for its programs.
     */
    void flushAtExit(ExitStatus status) {
        if (!exitWithoutFlush && status.signal() == null) {
            writeHeldStdout();
        }
        stdoutHeldLength = 0;
        out.flush();
        err.flush();
    }

    /** Bytes stdio writes to the process's stdout now (past a recorder's tap, which saw them printed). */
    private void writeOut(byte[] b, int off, int len) {
        PrintStream sink = tap != null ? tap.sink() : out;
        sink.write(b, off, len);
        sink.flush();
    }

    /** Writes out what stdout's buffer holds (glibc's _IO_do_write of the pending bytes). */
    private void writeHeldStdout() {
        if (stdoutHeldLength > 0) {
            writeOut(stdoutHeld, 0, stdoutHeldLength);
            stdoutHeldLength = 0;
        }
        out.flush();
    }

    /**
     * The program is at {@code site} (such as {@code "prog.c:12"}): an interpreter of another language
     * (the C front end) says so before each library call it makes for its program, so that a recording
     * names the program's line rather than the interpreter's. Does nothing; the recording agent binds it.
     */
    public void site(String site) {
    }

    /** The process this library belongs to (its memory, kernel and allocator, for inspection). */
    public CProcess process() {
        return process;
    }

    /**
     * Tells {@code listener} about every block this process's malloc family allocates or releases from
     * now on (see {@link AllocationListener} for which calls report what). Adding the same listener
     * twice makes it hear everything twice.
     */
    public void addAllocationListener(AllocationListener listener) {
        Objects.requireNonNull(listener, "listener");
        AllocationListener[] old = listeners;
        AllocationListener[] now = old == null ? new AllocationListener[1] : Arrays.copyOf(old, old.length + 1);
        now[now.length - 1] = listener;
        listeners = now;
    }

    /** Stops telling {@code listener} (once, if it was added more than once); does nothing if it was not added. */
    public void removeAllocationListener(AllocationListener listener) {
        AllocationListener[] old = listeners;
        if (old == null) {
            return;
        }
        for (int i = 0; i < old.length; i++) {
            if (old[i] == listener) {
                if (old.length == 1) {
                    listeners = null;
                } else {
                    AllocationListener[] now = new AllocationListener[old.length - 1];
                    System.arraycopy(old, 0, now, 0, i);
                    System.arraycopy(old, i + 1, now, i, old.length - i - 1);
                    listeners = now;
                }
                return;
            }
        }
    }

    // The listeners are told from here, never from the allocator, and only when there are some: with
    // none, each malloc-family call pays the one read of the null field. Every change makes a new
    // array, so a listener added or removed while the others are being told does not disturb the loop.

    private void allocated(String function, long p, long requested) {
        AllocationListener[] ls = listeners;
        if (p == 0 || ls == null) {
            return;
        }
        for (AllocationListener l : ls) {
            l.allocated(function, p, requested);
        }
    }

    private void releasing(String function, long p) {
        for (AllocationListener l : listeners) {
            l.releasing(function, p);
        }
    }

    private void released(String function, long p) {
        AllocationListener[] ls = listeners;
        if (ls == null) {
            return;
        }
        for (AllocationListener l : ls) {
            l.released(function, p);
        }
    }

    /**
     * realloc and reallocarray: the old block is released and the new one allocated, also when the
     * pointer stays the same (the block has a new size). A NULL result means either that the request
     * was for 0 bytes, which frees the old block, or that the call failed and the old block is untouched.
     */
    private void reallocated(String function, long old, long p, long requested, boolean sizeValid) {
        if (p != 0) {
            if (old != 0) {
                released(function, old);
            }
            allocated(function, p, requested);
        } else if (old != 0 && requested == 0 && sizeValid) {
            released(function, old);
        }
    }

    /**
     * A malloc made inside strdup or for stdio while there are listeners: still through the public
     * {@link #malloc}, so that an agent records it as the program's malloc, but left for the caller to
     * report to the listeners, under the caller's name.
     */
    private long mallocUnreported(long size) {
        boolean outer = mallocReportedByCaller;
        mallocReportedByCaller = true;
        try {
            return malloc(size);
        } finally {
            mallocReportedByCaller = outer;
        }
    }

    /** realloc's effect on the memcheck shadow: as it is on the listeners (see {@link #reallocated}). */
    private void memcheckRealloc(String function, long old, long p, long requested, boolean sizeValid) {
        if (p != 0) {
            if (old != 0) {
                mc.reallocated(function, old, p, requested);
            } else {
                mc.allocated(function, p, requested, false);
            }
        } else if (old != 0 && requested == 0 && sizeValid) {
            mc.released(old);
        }
    }

    /** The high 64 bits of the unsigned product (Math.unsignedMultiplyHigh is Java 18+). */
    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    // ================================================================ malloc family

    public long malloc(long size) {
        long p = malloc.malloc(size);
        if (mc != null) {
            mc.allocated("malloc", p, size, false);
        }
        if (listeners != null && !mallocReportedByCaller) {
            allocated("malloc", p, size);
        }
        return p;
    }

    public void free(long ptr) {
        if (listeners != null && ptr != 0) {
            releasing("free", ptr);
        }
        if (mc != null) {
            mc.freeing("free", ptr);
        }
        malloc.free(ptr);
        if (mc != null) {
            mc.released(ptr);
        }
        if (listeners != null && ptr != 0) {
            released("free", ptr);
        }
    }

    public long calloc(long nmemb, long size) {
        long p = malloc.calloc(nmemb, size);
        if (mc != null) {
            mc.allocated("calloc", p, nmemb * size, true);
        }
        if (listeners != null) {
            allocated("calloc", p, nmemb * size);
        }
        return p;
    }

    public long realloc(long ptr, long size) {
        if (listeners != null && ptr != 0) {
            releasing("realloc", ptr);
        }
        if (mc != null) {
            mc.freeing("realloc", ptr);
        }
        long p = malloc.realloc(ptr, size);
        if (mc != null) {
            memcheckRealloc("realloc", ptr, p, size, true);
        }
        if (listeners != null) {
            reallocated("realloc", ptr, p, size, true);
        }
        return p;
    }

    public long reallocarray(long ptr, long nmemb, long size) {
        if (listeners != null && ptr != 0) {
            releasing("reallocarray", ptr);
        }
        if (mc != null) {
            mc.freeing("reallocarray", ptr);
        }
        long p = malloc.reallocarray(ptr, nmemb, size);
        if (mc != null) {
            memcheckRealloc("reallocarray", ptr, p, nmemb * size, unsignedMultiplyHigh(nmemb, size) == 0);
        }
        if (listeners != null) {
            reallocated("reallocarray", ptr, p, nmemb * size, unsignedMultiplyHigh(nmemb, size) == 0);
        }
        return p;
    }

    public long memalign(long alignment, long size) {
        long p = malloc.memalign(alignment, size);
        if (mc != null) {
            mc.allocated("memalign", p, size, false);
        }
        if (listeners != null) {
            allocated("memalign", p, size);
        }
        return p;
    }

    public long aligned_alloc(long alignment, long size) {
        long p = malloc.alignedAlloc(alignment, size);
        if (mc != null) {
            mc.allocated("aligned_alloc", p, size, false);
        }
        if (listeners != null) {
            allocated("aligned_alloc", p, size);
        }
        return p;
    }

    /** {@code posix_memalign(memptr, alignment, size)}: stores the pointer at {@code memptr}. */
    public int posix_memalign(long memptr, long alignment, long size) {
        int status = malloc.posixMemalign(memptr, alignment, size);
        if (mc != null && status == 0) {
            mc.allocated("posix_memalign", mem.read64(memptr), size, false);
            mc.write(memptr, 8);
        }
        if (listeners != null && status == 0) {
            allocated("posix_memalign", mem.read64(memptr), size);
        }
        return status;
    }

    public long valloc(long size) {
        long p = malloc.valloc(size);
        if (mc != null) {
            mc.allocated("valloc", p, size, false);
        }
        if (listeners != null) {
            allocated("valloc", p, size);
        }
        return p;
    }

    public long pvalloc(long size) {
        long p = malloc.pvalloc(size);
        if (mc != null) {
            mc.allocated("pvalloc", p, size, false);
        }
        if (listeners != null) {
            allocated("pvalloc", p, size);
        }
        return p;
    }

    public long malloc_usable_size(long ptr) {
        return malloc.mallocUsableSize(ptr);
    }

    public int malloc_trim(long pad) {
        return malloc.mallocTrim(pad);
    }

    public int mallopt(int param, int value) {
        return malloc.mallopt(param, value);
    }

    public Mallinfo2 mallinfo2() {
        return malloc.mallinfo2();
    }

    /** The old {@code mallinfo()}: the same figures as {@link #mallinfo2()}, truncated to int. */
    public Mallinfo2 mallinfo() {
        return malloc.mallinfo2().truncatedToInt();
    }

    /** Prints glibc's malloc statistics on stderr. */
    public void malloc_stats() {
        malloc.mallocStats();
    }

    /** Prints glibc's XML description of the heap on {@code stream} (STDOUT or STDERR). */
    public int malloc_info(int options, int stream) {
        return malloc.mallocInfo(options, streamFor(stream));
    }

    // ================================================================ system calls

    public int brk(long addr) {
        return kernel.brk(addr);
    }

    public long sbrk(long increment) {
        return kernel.sbrk(increment);
    }

    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        long p = kernel.mmap(addr, length, prot, flags, fd, offset);
        if (mc != null && p != Kernel.MAP_FAILED) {
            mc.forget(p, p + length); // the program's own mapping: not the heap's, not checked
        }
        return p;
    }

    public int munmap(long addr, long length) {
        return kernel.munmap(addr, length);
    }

    public long mremap(long oldAddress, long oldSize, long newSize, int flags) {
        return kernel.mremap(oldAddress, oldSize, newSize, flags, 0);
    }

    public long mremap(long oldAddress, long oldSize, long newSize, int flags, long newAddress) {
        return kernel.mremap(oldAddress, oldSize, newSize, flags, newAddress);
    }

    public int mprotect(long addr, long length, int prot) {
        return kernel.mprotect(addr, length, prot);
    }

    /** {@code msync(addr, length, flags)}: writes dirty shared file pages back (see {@link Kernel#msync}). */
    public int msync(long addr, long length, int flags) {
        return kernel.msync(addr, length, flags);
    }

    // ---------------------------------------------------------------- files

    /** {@code open(path, flags)}: a descriptor, or -1 with errno. */
    public int open(String path, int flags) {
        return files.open(path, flags, 0);
    }

    /** {@code open(path, flags, mode)}: with O_CREAT, the new file gets {@code mode & ~umask} (umask 022). */
    public int open(String path, int flags, int mode) {
        return files.open(path, flags, mode);
    }

    /** {@code open} of a path held as a C string in the program's memory. */
    public int open(long path, int flags, int mode) {
        return files.open(string(path), flags, mode);
    }

    public int close(int fd) {
        return files.close(fd);
    }

    /** {@code read(fd, buf, count)}: bytes read, 0 at end of file, or -1 with errno. */
    public long read(int fd, long buf, long count) {
        long n = files.read(fd, buf, count);
        if (mc != null && n > 0) {
            mc.write(buf, n);
        }
        return n;
    }

    /** {@code write(fd, buf, count)}: bytes written, or -1 with errno. Writes to 1 and 2 bypass printf's stdio. */
    public long write(int fd, long buf, long count) {
        if (mc != null) {
            mc.read(buf, count);
            mc.printed(buf, count);
        }
        return files.write(fd, buf, count);
    }

    public long pread(int fd, long buf, long count, long offset) {
        return files.pread(fd, buf, count, offset);
    }

    public long pwrite(int fd, long buf, long count, long offset) {
        return files.pwrite(fd, buf, count, offset);
    }

    public long lseek(int fd, long offset, int whence) {
        return files.lseek(fd, offset, whence);
    }

    /** {@code fstat(fd, statbuf)}: fills a {@code struct stat} (see {@link Stat} for its layout). */
    public int fstat(int fd, long statbuf) {
        return files.fstat(fd, statbuf);
    }

    /** {@code stat(path, statbuf)}. */
    public int stat(String path, long statbuf) {
        return files.stat(path, statbuf);
    }

    public int stat(long path, long statbuf) {
        return files.stat(string(path), statbuf);
    }

    public int ftruncate(int fd, long length) {
        return files.ftruncate(fd, length);
    }

    public int fsync(int fd) {
        return files.fsync(fd);
    }

    public int unlink(String path) {
        return files.unlink(path);
    }

    public int unlink(long path) {
        return files.unlink(string(path));
    }

    /** C's {@code perror(s)}: "s: message for errno" on stderr. */
    public void perror(String s) {
        String msg = strerror(kernel.errno());
        emit(STDERR, ((s == null || s.isEmpty() ? "" : s + ": ") + msg + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public int getpagesize() {
        return (int) AddressSpace.PAGE_SIZE;
    }

    /** The {@code errno} of the last failed call. */
    public int errno() {
        return kernel.errno();
    }

    /** C's {@code strerror} for the errno values the simulation produces. */
    public String strerror(int errnum) {
        return Errno.message(errnum);
    }

    // ================================================================ memory

    public byte getByte(long addr) {
        if (mc != null) {
            mc.read(addr, 1);
        }
        return (byte) mem.read8(addr);
    }

    public short getShort(long addr) {
        if (mc != null) {
            mc.read(addr, 2);
        }
        return (short) mem.read16(addr);
    }

    public int getInt(long addr) {
        if (mc != null) {
            mc.read(addr, 4);
        }
        return mem.read32(addr);
    }

    public long getLong(long addr) {
        if (mc != null) {
            mc.read(addr, 8);
        }
        return mem.read64(addr);
    }

    public void putByte(long addr, int value) {
        if (mc != null) {
            mc.write(addr, 1);
        }
        mem.write8(addr, value);
    }

    public void putShort(long addr, int value) {
        if (mc != null) {
            mc.write(addr, 2);
        }
        mem.write16(addr, value);
    }

    public void putInt(long addr, int value) {
        if (mc != null) {
            mc.write(addr, 4);
        }
        mem.write32(addr, value);
    }

    public void putLong(long addr, long value) {
        if (mc != null) {
            mc.write(addr, 8);
        }
        mem.write64(addr, value);
    }

    /** Copies {@code len} bytes out of simulated memory. */
    public byte[] readBytes(long addr, int len) {
        if (len < 0) {
            throw new IllegalArgumentException("readBytes: negative length " + len);
        }
        if (mc != null) {
            mc.read(addr, len);
        }
        mem.checkAccess(addr, len, false); // fault before allocating a buffer for a bogus length
        byte[] b = new byte[len];
        mem.readBytes(addr, b, 0, len);
        return b;
    }

    /** Copies {@code bytes} into simulated memory at {@code addr}. */
    public void writeBytes(long addr, byte[] bytes) {
        if (mc != null) {
            mc.write(addr, bytes.length);
        }
        mem.writeBytes(addr, bytes, 0, bytes.length);
    }

    /**
     * {@code memcpy}: copies {@code n} bytes. Like every size here, {@code n} is a {@code size_t}: a
     * negative value is a huge size, which runs off the mapping and faults as it would in C. Overlap
     * is handled as {@link #memmove} does (glibc's memcpy makes no promise there).
     */
    public long memcpy(long dest, long src, long n) {
        if (mc != null) {
            mc.copy(dest, src, n, "memcpy");
        }
        return copy(dest, src, n);
    }

    /**
     * {@code memmove}: copies {@code n} bytes, correctly when the two ranges overlap. Checks both
     * ranges first, so a copy that would fault changes nothing.
     */
    public long memmove(long dest, long src, long n) {
        if (mc != null) {
            mc.copy(dest, src, n, null);
        }
        return copy(dest, src, n);
    }

    // The public functions never call one another, so an agent recording them sees each call once.
    private long copy(long dest, long src, long n) {
        mem.checkAccess(src, n, false);
        mem.checkAccess(dest, n, true);
        // both ranges are mapped, so n is a real (non-negative, bounded) size from here on
        byte[] buf = scratch;
        long done = 0;
        boolean backwards = Long.compareUnsigned(dest, src) > 0 && Long.compareUnsigned(dest - src, n) < 0;
        while (done < n) {
            int k = (int) Math.min(buf.length, n - done);
            long off = backwards ? n - done - k : done; // dest above an overlapping src: copy from the end
            mem.readBytes(src + off, buf, 0, k);
            mem.writeBytes(dest + off, buf, 0, k);
            done += k;
        }
        return dest;
    }

    /** {@code memset}: sets {@code n} bytes (a {@code size_t}) to {@code (unsigned char) c}. */
    public long memset(long s, int c, long n) {
        if (mc != null) {
            mc.write(s, n);
        }
        mem.fill(s, c & 0xff, n);
        return s;
    }

    /** {@code memcmp}: compares bytes as unsigned char; stops at the first difference. */
    public int memcmp(long s1, long s2, long n) {
        for (long i = 0; Long.compareUnsigned(i, n) < 0; i++) {
            int a = mem.read8(s1 + i);
            int b = mem.read8(s2 + i);
            if (a != b) {
                decidedOn(s1, s2, i + 1);
                return a - b;
            }
        }
        decidedOn(s1, s2, n);
        return 0;
    }

    /** Memcheck: a comparison looked at {@code n} bytes of each string and branched on them. */
    private void decidedOn(long s1, long s2, long n) {
        if (mc != null) {
            mc.decidedOn(s1, n);
            mc.decidedOn(s2, n);
        }
    }

    public long strlen(long s) {
        long i = 0;
        while (mem.read8(s + i) != 0) {
            i++;
        }
        if (mc != null) {
            mc.decidedOn(s, i + 1); // the loop branched on every byte up to the NUL
        }
        return i;
    }

    public long strcpy(long dest, long src) {
        long i = 0;
        int b;
        do {
            b = mem.read8(src + i);
            mem.write8(dest + i, b);
            i++;
        } while (b != 0);
        if (mc != null) {
            mc.decidedOn(src, i);
            mc.copy(dest, src, i, "strcpy", false);
        }
        return dest;
    }

    /** {@code strcpy(dest, "literal")}: writes a Java string (UTF-8, NUL-terminated) at dest. */
    public long strcpy(long dest, String src) {
        return putString(dest, src);
    }

    /** {@code strncpy}: copies at most {@code n} bytes and pads with NULs up to {@code n} (no NUL if src is longer). */
    public long strncpy(long dest, long src, long n) {
        long i = 0;
        for (; Long.compareUnsigned(i, n) < 0; i++) {
            int b = mem.read8(src + i);
            if (b == 0) {
                break;
            }
            mem.write8(dest + i, b);
        }
        if (Long.compareUnsigned(i, n) < 0) {
            mem.fill(dest + i, 0, n - i);
        }
        if (mc != null) {
            long scanned = Long.compareUnsigned(i, n) < 0 ? i + 1 : i;
            mc.decidedOn(src, scanned);
            mc.copy(dest, src, i, "strncpy", false);
            if (Long.compareUnsigned(i, n) < 0) {
                mc.write(dest + i, n - i);
            }
        }
        return dest;
    }

    public int strcmp(long s1, long s2) {
        for (long i = 0; ; i++) {
            int a = mem.read8(s1 + i);
            int b = mem.read8(s2 + i);
            if (a != b || a == 0) {
                decidedOn(s1, s2, i + 1);
                return a - b;
            }
        }
    }

    public int strncmp(long s1, long s2, long n) {
        for (long i = 0; Long.compareUnsigned(i, n) < 0; i++) {
            int a = mem.read8(s1 + i);
            int b = mem.read8(s2 + i);
            if (a != b || a == 0) {
                decidedOn(s1, s2, i + 1);
                return a - b;
            }
        }
        decidedOn(s1, s2, n);
        return 0;
    }

    /** {@code strdup}: mallocs {@code strlen(s)+1} bytes and copies the string; NULL if malloc fails. */
    public long strdup(long s) {
        long n = strlen(s) + 1;
        boolean listened = listeners != null;
        long p = listened ? mallocUnreported(n) : malloc(n);
        if (p != 0) {
            memcpy(p, s, n); // as glibc's strdup; a recording agent sees the copy as memcpy's write
        }
        if (listened) {
            allocated("strdup", p, n);
        }
        return p;
    }

    /** mallocs a copy of a Java string as a NUL-terminated UTF-8 C string. */
    public long strdup(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        boolean listened = listeners != null;
        long p = listened ? mallocUnreported(b.length + 1L) : malloc(b.length + 1L);
        if (p != 0) {
            mem.writeBytes(p, b, 0, b.length);
            mem.write8(p + b.length, 0);
            if (mc != null) {
                mc.write(p, b.length + 1L);
            }
        }
        if (listened) {
            allocated("strdup", p, b.length + 1L);
        }
        return p;
    }

    /** Writes {@code s} as a NUL-terminated UTF-8 C string at {@code dest}; returns dest. */
    public long putString(long dest, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (mc != null) {
            mc.writeBytewise(dest, b.length + 1L);
        }
        mem.writeBytes(dest, b, 0, b.length);
        mem.write8(dest + b.length, 0);
        return dest;
    }

    /** Reads the NUL-terminated C string at {@code s} into a Java string (UTF-8). */
    public String string(long s) {
        return new String(cString(s), StandardCharsets.UTF_8);
    }

    /**
     * The bytes of the C string at {@code s} printf's {@code %s} prints: with a precision ({@code max}
     * &gt;= 0) at most that many, read no further, as glibc's vfprintf reads them (strnlen).
     */
    private byte[] cString(long s, int max) {
        if (max < 0) {
            return cString(s);
        }
        int i = 0;
        while (i < max && mem.read8(s + i) != 0) {
            i++;
        }
        if (mc != null) {
            mc.decidedOn(s, i < max ? i + 1 : i); // the loop branched on each byte it read
        }
        return readBytes(s, i);
    }

    /** The bytes of the NUL-terminated C string at {@code s}, without the NUL. */
    private byte[] cString(long s) {
        long n = strlen(s);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("string at 0x" + Long.toHexString(s) + " is longer than 2 GiB");
        }
        return readBytes(s, (int) n);
    }

    // ================================================================ stdio

    /**
     * C's {@code printf}: {@code %d %i %u %x %X %o %c %s %p %%} with the length modifiers
     * {@code hh h l ll z j t}, flags {@code - 0 # + space}, width and precision (also {@code *}).
     * Pass Java integers for integer conversions, a pointer ({@code long}) or a Java String for
     * {@code %s}. Returns the number of bytes written.
     */
    public int printf(String format, Object... args) {
        return emit(STDOUT, Printf.format(format, args, this::cString));
    }

    /**
     * {@code fprintf(stream, …)} with {@link #STDOUT} or {@link #STDERR}. Stream 0 ({@code stdin})
     * is not writable: -1 with errno EBADF, as glibc. Any other number is a mistake in the program
     * and throws IllegalArgumentException.
     */
    public int fprintf(int stream, String format, Object... args) {
        if (stream == STDIN) {
            kernel.setErrno(Kernel.EBADF);
            return -1;
        }
        streamFor(stream); // reject an unknown stream before formatting
        return emit(stream, Printf.format(format, args, this::cString));
    }

    /** {@code snprintf}-like: formats to a Java string without printing. */
    public String sprintf(String format, Object... args) {
        return Printf.formatToString(format, args, this::cString);
    }

    /** {@code puts}: the string and a newline on stdout. */
    public int puts(String s) {
        byte[] b = (s + "\n").getBytes(StandardCharsets.UTF_8);
        emit(STDOUT, b);
        return b.length;
    }

    /** {@code puts} of a C string in simulated memory. */
    public int puts(long s) {
        byte[] str = cString(s);
        byte[] b = Arrays.copyOf(str, str.length + 1);
        b[str.length] = '\n';
        emit(STDOUT, b);
        return b.length;
    }

    /** {@code putchar}: writes the byte {@code (unsigned char) c}; returns it. */
    public int putchar(int c) {
        emit(STDOUT, new byte[] {(byte) c});
        return c & 0xff;
    }

    public void fflush(int stream) {
        if (stream == STDOUT) {
            writeHeldStdout();
            stdoutPos = 0; // what was held went out; the bytes stay in the buffer until overwritten
        }
        streamFor(stream).flush();
    }

    /**
     * {@code setbuf(stdout, NULL)} / {@code setvbuf(stdout, NULL, _IONBF, 0)}: no buffer will be
     * allocated for stdout. how2heap programs do this so that stdio stays out of the heap.
     */
    public void setbufNone(int stream) {
        if (stream == STDOUT) {
            stdoutUnbuffered = true;
        }
    }

    private int emit(int stream, byte[] bytes) {
        if (stream == STDOUT) {
            if (!stdoutBufferAllocated && !stdoutUnbuffered) {
                // glibc allocates stdout's buffer with malloc at the first output: st_blksize bytes,
                // 1024 on a terminal, 4096 on a pipe or file. It stays in the heap until exit.
                stdoutBufferAllocated = true;
                long size = stdoutIsTerminal ? 1024 : 4096;
                long buffer;
                if (listeners == null) {
                    buffer = malloc(size);
                } else {
                    buffer = mallocUnreported(size);
                    allocated(AllocationListener.STDIO_BUFFER, buffer, size);
                }
                if (mc != null) {
                    mc.stdioBuffer(buffer);
                }
                if (buffer != 0) {
                    stdoutBuffer = buffer;
                    stdoutBufferSize = (int) size;
                    holdInStdoutBuffer(bytes, true);
                }
            } else if (stdoutBuffer != 0) {
                holdInStdoutBuffer(bytes, false);
            }
            if (stdoutBuffer != 0 && !stdoutFrontEnd) {
                // the buffer now holds the last stdoutPos bytes of the output; the rest has been written
                if (tap != null) {
                    tap.printed(bytes, 0, bytes.length); // a recording shows it at the call that printed it
                }
                // what was held, then bytes: the first `written` go out in one write, the rest is held
                int written = stdoutHeldLength + bytes.length - stdoutPos;
                if (written > 0) {
                    writeOut(heldThen(bytes, written), 0, written);
                }
                holdTheRest(bytes, Math.max(0, written));
                return bytes.length;
            }
        }
        PrintStream ps = streamFor(stream);
        ps.write(bytes, 0, bytes.length);
        if (stream == STDERR || indexOf(bytes, (byte) '\n') >= 0) {
            ps.flush();
        }
        return bytes.length;
    }

    /** The first {@code n} bytes of what is held followed by {@code bytes}, copied only when they straddle both. */
    private byte[] heldThen(byte[] bytes, int n) {
        if (stdoutHeldLength == 0) {
            return bytes;
        }
        if (n <= stdoutHeldLength) {
            return stdoutHeld;
        }
        byte[] joined = Arrays.copyOf(stdoutHeld, n);
        System.arraycopy(bytes, 0, joined, stdoutHeldLength, n - stdoutHeldLength);
        return joined;
    }

    /** Holds what is left of the held bytes followed by {@code bytes} once their first {@code skip} went out. */
    private void holdTheRest(byte[] bytes, int skip) {
        int keptOfHeld = Math.max(0, stdoutHeldLength - skip);
        int fromBytes = Math.max(0, skip - stdoutHeldLength);
        int n = keptOfHeld + bytes.length - fromBytes;
        if (n > stdoutHeld.length) {
            stdoutHeld = Arrays.copyOf(stdoutHeld, Math.max(n, Math.max(stdoutBufferSize, 2 * stdoutHeld.length)));
        }
        System.arraycopy(stdoutHeld, stdoutHeldLength - keptOfHeld, stdoutHeld, 0, keptOfHeld);
        System.arraycopy(bytes, fromBytes, stdoutHeld, keptOfHeld, bytes.length - fromBytes);
        stdoutHeldLength = n;
    }

    /**
     * Puts what stdout is given into its buffer in simulated memory as glibc's {@code _IO_new_file_xsputn}
     * does, so that the heap shows the text as gdb shows it in a real process: the buffer holds it until
     * a flush, which moves the write pointer back to the start (the bytes stay until overwritten).
     * Fully buffered (a pipe or file): the space left is filled; if more remains, the buffer is flushed,
     * whole buffer-sized blocks go straight out and the rest is held. Line buffered (a terminal): when
     * the text fits, it is held up to its last newline, which flushes; the rest, character by character,
     * flushes at each newline. The first output finds no buffer yet: everything goes the second way.
     * (printf hands glibc its pieces one at a time and here the whole text at once; the buffer's bytes
     * differ only when one piece is a buffer long or more.)
     */
    private void holdInStdoutBuffer(byte[] b, boolean first) {
        int n = b.length;
        int size = stdoutBufferSize;
        boolean line = stdoutIsTerminal;
        int count = first ? 0 : size - stdoutPos;
        boolean mustFlush = false;
        if (!first && line && count >= n) {
            count = n;
            for (int k = n - 1; k >= 0; k--) {
                if (b[k] == '\n') {
                    count = k + 1;
                    mustFlush = true;
                    break;
                }
            }
        }
        count = Math.min(count, n);
        storeInStdoutBuffer(b, 0, count);
        int done = count;
        int toDo = n - count;
        if (toDo == 0 && !mustFlush) {
            return;
        }
        stdoutPos = 0; // _IO_OVERFLOW: the buffer is written out
        int direct = toDo - (size >= 128 ? toDo % size : 0);
        done += direct;
        toDo -= direct;
        if (!line) {
            storeInStdoutBuffer(b, done, toDo);
            return;
        }
        // _IO_default_xsputn on a line-buffered stream: one character at a time through overflow
        int run = done;
        for (int k = done; k < n; k++) {
            if (stdoutPos + (k - run) == size) {
                storeInStdoutBuffer(b, run, k - run);
                run = k;
                stdoutPos = 0;
            }
            if (b[k] == '\n') {
                storeInStdoutBuffer(b, run, k + 1 - run);
                run = k + 1;
                stdoutPos = 0;
            }
        }
        storeInStdoutBuffer(b, run, n - run);
    }

    private void storeInStdoutBuffer(byte[] b, int from, int len) {
        if (len > 0) {
            writeBytes(stdoutBuffer + stdoutPos, java.util.Arrays.copyOfRange(b, from, from + len));
            stdoutPos += len;
        }
    }

    /** Where stdout's write pointer is, as an offset from its buffer's start (0 without a buffer). */
    int stdoutBuffered() {
        return stdoutPos;
    }

    /** stdout's buffer in the heap, 0 before the first output or with {@link #setbufNone}. */
    long stdoutBufferAddress() {
        return stdoutBuffer;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private PrintStream streamFor(int stream) {
        return switch (stream) {
            case STDOUT -> out;
            case STDERR -> err;
            default -> throw new IllegalArgumentException("unknown stream " + stream + " (use LibC.STDOUT or LibC.STDERR)");
        };
    }

    // ================================================================ process

    /** Ends the program with {@code status} (the shell sees {@code status & 0xff}). */
    public void exit(int status) {
        throw new ProgramExit(status);
    }

    /**
     * {@code _exit(status)}: ends the process at once, without what {@code exit} does in the C
     * library first: what stdout's buffer still holds is lost (on a pipe or file everything printed
     * since the last flush, on a terminal the unfinished line), as in C.
     */
    public void _exit(int status) {
        exitWithoutFlush = true;
        throw new ProgramExit(status);
    }

    // ---------------------------------------------------------------- processes

    /** {@code waitpid} option: return 0 instead of blocking when no child has ended. */
    public static final int WNOHANG = CProcess.WNOHANG;

    /**
     * {@code fork()}: a child process with a copy of this one's memory (heap, arena, tcache, stack,
     * globals: its stores and its mallocs change only its copy), the same open files (sharing their
     * offsets) and the same {@code MAP_SHARED} mappings. The child runs {@code body} with its own
     * LibC, and ends with the body's value as its exit status. Returns the child's pid to the parent,
     * which runs on: the child runs when the parent blocks ({@link #waitpid}, a read of an empty
     * pipe …) or ends, one process at a time, so every run interleaves the same way.
     */
    public int fork(ForkBody body) {
        out.flush();
        return process.fork(body);
    }

    /** {@code getpid()}: 2 for the program, 3, 4, … for the processes it forks. */
    public int getpid() {
        return process.pid();
    }

    /** {@code getppid()}: the parent's pid; 1 when the parent has ended (init adopted the process). */
    public int getppid() {
        return process.ppid();
    }

    /**
     * {@code waitpid(pid, wstatus, options)}: blocks until child {@code pid} (-1: any child) has
     * ended, stores its wait status (an int, see {@link #WIFEXITED}) at {@code wstatus} unless that
     * is NULL, and returns its pid; -1 with ECHILD when there is no such child.
     */
    public int waitpid(int pid, long wstatus, int options) {
        return process.waitpid(pid, wstatus, options);
    }

    /**
     * C's {@code wait(wstatus)}, which is {@code waitpid(-1, wstatus, 0)}; named otherwise because
     * Java's {@code Object.wait(long)} takes the name.
     */
    public int waitAny(long wstatus) {
        return process.waitpid(-1, wstatus, 0);
    }

    /** {@code WIFEXITED(status)}: the child returned from its body or called exit. */
    public static boolean WIFEXITED(int status) {
        return (status & 0x7f) == 0;
    }

    /** {@code WEXITSTATUS(status)}: its exit status, 0–255. */
    public static int WEXITSTATUS(int status) {
        return (status >> 8) & 0xff;
    }

    /** {@code WIFSIGNALED(status)}: a signal ended the child. */
    public static boolean WIFSIGNALED(int status) {
        return (status & 0x7f) != 0 && (status & 0x7f) != 0x7f;
    }

    /** {@code WTERMSIG(status)}: the signal that ended it (11 SIGSEGV, 6 SIGABRT, 7 SIGBUS …). */
    public static int WTERMSIG(int status) {
        return status & 0x7f;
    }

    /**
     * {@code pipe(pipefd)}: stores a read end and a write end (the two lowest free descriptors) as
     * two ints at {@code pipefd}; 0, or -1 with errno. A read of an empty pipe blocks while a write
     * end is open (and returns 0 after); a write to a full pipe (64 KiB) blocks; a write with no
     * read end open raises SIGPIPE.
     */
    public int pipe(long pipefd) {
        return files.pipe(pipefd);
    }

    /** {@code sched_yield()}: lets the next runnable thread or process run (the caller queues behind it); 0. */
    public int sched_yield() {
        process.group().scheduler.yieldTask();
        return 0;
    }

    /** Raises SIGABRT. */
    public void abort() {
        throw new Abort("");
    }

    /**
     * C's {@code assert(expr)}: when {@code condition} is false, prints glibc's message
     * ({@code prog: File.java:LINE: main: Assertion `expr' failed.}) and aborts.
     */
    public void assertTrue(boolean condition, String expr) {
        if (condition) {
            return;
        }
        StackWalker.StackFrame caller = StackWalker.getInstance()
                .walk(s -> s.filter(f -> !f.getClassName().equals(LibC.class.getName())).findFirst().orElse(null));
        String where = caller == null ? "?" : caller.getFileName() + ":" + caller.getLineNumber();
        String fn = caller == null ? "main" : functionName(caller.getMethodName());
        String msg = process.programName() + ": " + where + ": " + fn + ": Assertion `" + expr + "' failed.";
        out.flush();
        err.println(msg);
        err.flush();
        throw new Abort(msg);
    }

    /** C's {@code __func__} for a Java method: a lambda ({@code lambda$main$0}) is named after its enclosing method. */
    static String functionName(String javaMethod) {
        if (javaMethod.startsWith("lambda$")) {
            int end = javaMethod.indexOf('$', "lambda$".length());
            if (end > "lambda$".length()) {
                return javaMethod.substring("lambda$".length(), end);
            }
        }
        return javaMethod;
    }

    // ================================================================ threads

    private PThreads threads() {
        if (threads == null) {
            threads = new PThreads(this, malloc, kernel, process.group().scheduler);
            if (inheritedSemaphores != null) {
                threads.inheritSemaphores(inheritedSemaphores);
                inheritedSemaphores = null;
            }
        }
        return threads;
    }

    /** The process's threads, or null while it has only its main thread and made no pthread call. */
    PThreads threadsOrNull() {
        return threads;
    }

    /**
     * {@code pthread_create(thread, attr, start, arg)}: a new thread running {@code start(c, arg)} on
     * its own mmapped stack (from {@code attr}'s stack size, else the 8 MiB stack limit, plus a guard
     * page), its DTV calloc'ed here by the caller. It first runs when the caller blocks, yields or
     * ends. Writes the {@code pthread_t} to {@code thread} (if not 0); returns 0 or EAGAIN.
     */
    public int pthread_create(long thread, long attr, ThreadBody start, long arg) {
        Objects.requireNonNull(start, "start");
        return threads().create(thread, attr, start, arg);
    }

    /** {@code pthread_join}: waits for {@code thread}, stores its value at {@code retval} (if not 0); 0 or an errno. */
    public int pthread_join(long thread, long retval) {
        return threads().join(thread, retval);
    }

    /** {@code pthread_exit(value)}: ends the calling thread (the main thread: the process ends when the others have). */
    public void pthread_exit(long value) {
        threads().exit(value);
    }

    /**
     * A simulator extension with no C counterpart: the running thread's number in its process, 0 for
     * the main thread, then 1, 2 … in order of {@code pthread_create} (never reused), as a trace's
     * {@code T K} and a timeline's {@code [t2]} number them.
     */
    public int threadNumber() {
        return threads == null ? 0 : threads.currentId();
    }

    /**
     * A simulator extension with no C counterpart: the {@code pthread_t} (descriptor and thread
     * pointer) of every thread this process has made, indexed by {@link #threadNumber()}: element 0 is
     * the main thread's, and 0 stands for a thread that has ended.
     */
    public long[] threadPointers() {
        return threads == null ? new long[] {malloc.threadPointer()} : threads.pointers();
    }

    /**
     * start_thread after the start routine returned {@code value} (or the thread called
     * {@code pthread_exit(value)}): glibc's {@code __libc_thread_freeres}, whose tcache_thread_shutdown
     * frees the thread's tcache and puts its arena on the free list. A recording names it
     * {@code pthread_exit(value)}.
     */
    void libcThreadFreeres(long value) {
        malloc.threadExit();
    }

    /** {@code pthread_self()}: the calling thread's {@code pthread_t} (its descriptor's address). */
    public long pthread_self() {
        return threads == null ? malloc.threadPointer() : threads.self();
    }

    /** {@code pthread_detach}: the thread's stack is cached as soon as it ends; 0 or an errno. */
    public int pthread_detach(long thread) {
        return threads().detach(thread);
    }

    /** {@code pthread_attr_init}: a default attribute (one guard page, default stack size). */
    public int pthread_attr_init(long attr) {
        mem.fill(attr, 0, PThreads.ATTR_SIZE);
        mem.write64(attr + PThreads.ATTR_GUARDSIZE, AddressSpace.PAGE_SIZE);
        return 0;
    }

    /** {@code pthread_attr_setstacksize}: EINVAL below PTHREAD_STACK_MIN (16 KiB). */
    public int pthread_attr_setstacksize(long attr, long stacksize) {
        if (Long.compareUnsigned(stacksize, 16384) < 0) {
            return PThreads.EINVAL;
        }
        mem.write64(attr + PThreads.ATTR_STACKSIZE, stacksize);
        return 0;
    }

    /** {@code pthread_mutex_init}: a default (non-recursive) mutex. */
    public int pthread_mutex_init(long mutex, long attr) {
        mem.fill(mutex, 0, 40);
        return 0;
    }

    /** {@code pthread_mutex_lock}: blocks (another thread runs) while the mutex is held. */
    public int pthread_mutex_lock(long mutex) {
        return threads().mutexLock(mutex);
    }

    /** {@code pthread_mutex_trylock}: 0, or EBUSY when held. */
    public int pthread_mutex_trylock(long mutex) {
        return threads().mutexTrylock(mutex);
    }

    /** {@code pthread_mutex_unlock}: 0, or EPERM when the caller does not hold it. */
    public int pthread_mutex_unlock(long mutex) {
        return threads().mutexUnlock(mutex);
    }

    /** {@code pthread_cond_init}. */
    public int pthread_cond_init(long cond, long attr) {
        mem.fill(cond, 0, 48);
        return 0;
    }

    /** {@code pthread_cond_wait}: releases the mutex, blocks until signalled, takes it again. */
    public int pthread_cond_wait(long cond, long mutex) {
        return threads().condWait(cond, mutex);
    }

    /** {@code pthread_cond_signal}: wakes the longest waiter. */
    public int pthread_cond_signal(long cond) {
        return threads().condSignal(cond);
    }

    /** {@code pthread_cond_broadcast}: wakes every waiter. */
    public int pthread_cond_broadcast(long cond) {
        return threads().condBroadcast(cond);
    }

    /** {@code sem_init(sem, pshared, value)}: a semaphore at {@code sem} holding {@code value}. */
    public int sem_init(long sem, int pshared, long value) {
        mem.fill(sem, 0, 32);
        return threads().semInit(sem, value);
    }

    /** {@code sem_wait}: takes one, blocking (another thread runs) while it holds none. */
    public int sem_wait(long sem) {
        return threads().semWait(sem) == 0 ? 0 : -1;
    }

    /** {@code sem_post}: adds one, waking the longest waiter; the caller keeps running. */
    public int sem_post(long sem) {
        return threads().semPost(sem) == 0 ? 0 : -1;
    }

    /**
     * A simulator extension with no C counterpart: hands the CPU to {@code thread} now, as a trace's
     * {@code T K} line does. Returns false when that thread does not exist or has ended.
     */
    public boolean sched_switch_to(long thread) {
        return threads().switchTo(thread);
    }

    // ================================================================ stack and globals

    /**
     * Reserves {@code bytes} in the current stack frame (16-byte aligned, uninitialised as in C)
     * and returns its address, like a local array {@code char buf[bytes]}.
     */
    public long local(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("local: negative size " + bytes);
        }
        long lowest = stackLowest;
        if (bytes > stackPointer - lowest) {
            // C would run off the bottom of the stack: the kernel refuses to grow it past RLIMIT_STACK
            long sp = stackPointer - bytes;
            long at = Long.compareUnsigned(sp, lowest) >= 0 ? sp : lowest - 8;
            throw new Segfault(at, true, 8, "stack overflow: " + bytes + " bytes of locals exceed the "
                    + (stackLowest == Layout.STACK_END - Layout.STACK_LIMIT ? "8 MiB stack" : "thread's stack"));
        }
        long sp = (stackPointer - bytes) & ~15L;
        growStack(sp);
        stackPointer = sp;
        return sp;
    }

    /** The kernel grows the [stack] mapping down, page by page, when a frame reaches below it. */
    private void growStack(long sp) {
        if (stackLowest != Layout.STACK_END - Layout.STACK_LIMIT) {
            return; // a thread's stack is mapped whole by pthread_create
        }
        var stack = mem.regionAt(Layout.STACK_END - 1);
        long bottom = sp & -AddressSpace.PAGE_SIZE;
        if (stack != null && Long.compareUnsigned(bottom, stack.start()) < 0) {
            mem.map(bottom, stack.start(), stack.prot(), stack.name());
        }
    }

    /** A nested stack frame: locals reserved inside it are released when it closes. */
    public Frame frame() {
        return new Frame(stackPointer);
    }

    /** A stack frame opened by {@link #frame()}; use with try-with-resources. */
    public final class Frame implements AutoCloseable {
        private final long saved;

        private Frame(long saved) {
            this.saved = saved;
        }

        /** Same as {@link LibC#local(long)}. */
        public long local(long bytes) {
            return LibC.this.local(bytes);
        }

        @Override
        public void close() {
            stackPointer = saved;
        }
    }

    /**
     * A zero-initialised global in .bss ({@code static char name[bytes];}); the same name returns
     * the same address.
     */
    public long global(String name, long bytes) {
        Long known = symbols.get(name);
        if (known != null) {
            return known;
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("global '" + name + "': negative size " + bytes);
        }
        long align = bytes >= 16 ? 16 : 8;
        long addr = (bssNext + align - 1) & -align;
        if (bytes > Layout.BSS_END - addr) {
            throw new IllegalStateException("global '" + name + "': .bss is full (" + (Layout.BSS_END - Layout.BSS_START)
                    + " bytes for all globals)");
        }
        bssNext = addr + bytes;
        symbols.put(name, addr);
        return addr;
    }

    /** An initialised global in .data ({@code static char name[] = {…};}). */
    public long global(String name, byte[] init) {
        Long known = symbols.get(name);
        if (known != null) {
            return known;
        }
        long addr = (dataNext + 7) & -8L;
        if (init.length > Layout.BSS_START - addr) {
            throw new IllegalStateException("global '" + name + "': .data is full");
        }
        mem.writeBytes(addr, init, 0, init.length);
        dataNext = addr + init.length;
        symbols.put(name, addr);
        return addr;
    }

    /** A stable address in .text standing for the function {@code name} (for printing {@code &main}). */
    public long function(String name) {
        return functions.computeIfAbsent(name, n -> Layout.TEXT_START + 0x139 + 0x40L * functions.size());
    }

    /** The globals declared so far, name to address, in declaration order. */
    public Map<String, Long> globals() {
        return Collections.unmodifiableMap(symbols);
    }

    List<String> symbolNames() {
        return new ArrayList<>(symbols.keySet());
    }
}
