package io.mallocscope.c;

import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.vm.Errno;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * glibc's stdio on files of the simulated file system ({@code fopen} … {@code fclose}), with its
 * memory where glibc has it: {@code fopen} mallocs the 0x1d8-byte {@code struct locked_FILE} (and
 * frees it again when the open fails), the first read or write mallocs the stream's buffer
 * ({@code st_blksize}: 4096 for a file, 1024 for a /proc file), reads fill it with {@code read(2)}
 * of a whole buffer, writes collect in it until it is full or flushed, and {@code fclose} frees the
 * buffer, then the FILE. The FILE's fields gdb shows ({@code _flags}, the read/write/buffer
 * pointers, {@code _chain}, {@code _fileno}, {@code _lock}, {@code _offset}, {@code _mode}, the
 * vtable) hold glibc's values as the stream is used. {@code exit} flushes every open stream;
 * {@code _exit} and signals do not.
 */
final class Stdio {
    /** sizeof (struct locked_FILE) in glibc 2.36 on x86-64. */
    static final long FILE_SIZE = 0x1d8;
    /** _IO_file_jumps, the vtable of a file stream, as an offset into libc (Debian 12's 2.36). */
    static final long FILE_JUMPS = 0x1d05e0;
    /**
     * Where glibc's strerror finds the message of each errno 0..133: offsets into libc's read-only
     * data (Debian 12's 2.36, measured as strerror(i) - strerror(1) with strerror(1) at 0x197208);
     * 0 where glibc has no message (41, 58).
     */
    private static final long[] MESSAGES = {
        0x197200, 0x197208, 0x197220, 0x19723a, 0x19724a, 0x197262, 0x197275, 0x19728f,
        0x1972a6, 0x1972b8, 0x1972cc, 0x19c1d0, 0x1972df, 0x1972f6, 0x197308, 0x197314,
        0x19732a, 0x197342, 0x19734e, 0x197368, 0x197377, 0x197387, 0x197396, 0x1973a7,
        0x1973c5, 0x19c1f8, 0x1973d9, 0x1973e8, 0x1973f7, 0x19740f, 0x19741c, 0x197432,
        0x197441, 0x19c218, 0x19744d, 0x19746b, 0x197485, 0x197498, 0x1974ab, 0x1974c4,
        0x19c240, 0, 0x1974d8, 0x1974f3, 0x197506, 0x197522, 0x19753b, 0x19754a,
        0x197558, 0x197571, 0x19758e, 0x1975a9, 0x1975b8, 0x1975c9, 0x1975e4, 0x1975f2,
        0x1975fb, 0x197610, 0, 0x19761d, 0x197632, 0x197646, 0x197658, 0x197666,
        0x19767f, 0x19769d, 0x1976b3, 0x1976c4, 0x1976da, 0x1976ea, 0x1976f8, 0x197714,
        0x197723, 0x197736, 0x197749, 0x19c268, 0x197755, 0x197770, 0x19778d, 0x19c290,
        0x19c2b8, 0x19c2e0, 0x19c300, 0x19c330, 0x19c358, 0x19c390, 0x1977a4, 0x1977b7,
        0x19c3c0, 0x1977c6, 0x1977e3, 0x19c3e0, 0x1977f4, 0x19780b, 0x197822, 0x19783c,
        0x197854, 0x19c400, 0x197872, 0x19c430, 0x197889, 0x197899, 0x19c450, 0x19c478,
        0x1978b0, 0x1978c9, 0x19c4a0, 0x19c4c8, 0x19c4f0, 0x19c520, 0x1978e3, 0x1978f8,
        0x19790b, 0x197918, 0x197929, 0x197947, 0x197961, 0x197973, 0x19798c, 0x1979a8,
        0x1979c6, 0x1979db, 0x1979ec, 0x197a00, 0x197a10, 0x197a22, 0x197a35, 0x197a50,
        0x197a60, 0x197a75, 0x197a91, 0x197a9c, 0x19c548, 0x19c570,
    };

    // _IO_FILE's flags and field offsets (libio.h, struct _IO_FILE on x86-64)
    private static final int MAGIC = 0xfbad0000, USER_BUF = 1, UNBUFFERED = 2, NO_READS = 4, NO_WRITES = 8, EOF_SEEN = 0x10,
            ERR_SEEN = 0x20, LINKED = 0x80, IN_BACKUP = 0x100, LINE_BUF = 0x200, TIED_PUT_GET = 0x400,
            CURRENTLY_PUTTING = 0x800, IS_APPENDING = 0x1000, IS_FILEBUF = 0x2000;
    /** setvbuf's modes (stdio.h). */
    static final int IOFBF = 0, IOLBF = 1, IONBF = 2;
    /** BUFSIZ: setbuf's buffer size. */
    static final int BUFSIZ = 8192;
    /** _IO_default_pbackfail's backup area. */
    private static final int BACKUP_SIZE = 128;
    /** _flags2's bits fopen's mode sets (libio.h). */
    private static final int FLAGS2_MMAP = 1, FLAGS2_NOTCANCEL = 2, FLAGS2_CLOEXEC = 64;
    private static final int READ_PTR = 0x8, CHAIN = 0x68, FILENO = 0x70, FLAGS2 = 0x74, SHORTBUF = 0x83, LOCK = 0x88,
            OFFSET = 0x90, MODE = 0xc0, VTABLE = 0xd8, LOCK_OBJECT = 0xe0;

    /**
     * One open stream: the FILE at {@code fp} and glibc's state of it, field for field as libio keeps
     * it (written into the FILE's memory by {@link #sync}).
     */
    static final class CFile implements Cloneable {
        long fp;
        int fd;
        int flags;
        long readPtr;
        long readEnd;
        long readBase;
        long writeBase;
        long writePtr;
        long writeEnd;
        long bufBase;
        long bufEnd;
        long saveBase;
        long backupBase;
        long saveEnd;
        /** _offset: the descriptor's offset as glibc caches it, -1 (_IO_pos_BAD) when unknown. */
        long offset = -1;
        /**
         * /proc/self/maps, which the kernel writes as it is read (seq_file): whether this is it, what
         * the last read made but did not hand over (and where in that that stands), the end of the
         * last mapping a read wrote a line for, and how many bytes were handed over so far.
         */
        boolean generated;
        byte[] text = new byte[0];
        int textPos;
        long shownEnd;
        long delivered;
        /** _mode: 0 until the first I/O, then -1 (byte oriented). */
        int orientation;
        /** stdin: glibc's _IO_2_1_stdin_ in libc's data, reading descriptor 0 (the program's input). */
        boolean stdin;

        boolean putting() {
            return (flags & CURRENTLY_PUTTING) != 0;
        }

        boolean inBackup() {
            return (flags & IN_BACKUP) != 0;
        }

        /** _shortbuf, the one-byte buffer of an unbuffered stream. */
        long shortbuf() {
            return fp + SHORTBUF;
        }

        @Override
        protected CFile clone() {
            try {
                return (CFile) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final Machine m;
    private final LibC libc;
    /** The open streams by FILE address. */
    private final Map<Long, CFile> files = new HashMap<>();
    /** _IO_list_all: the most recently opened stream first, then stderr, stdout, stdin. */
    private long listAll;
    /** The last "Unknown error N" strerror made (glibc's thread-local last_value), or 0. */
    private long lastUnknown;
    /** strerror's messages already written into libc's read-only data. */
    private final java.util.Set<Integer> written = new java.util.HashSet<>();

    /** The allocator, each call at the running library call's line ({@link Machine#resay}). */
    private long malloc(long n) {
        m.resay();
        return libc.malloc(n);
    }

    private void free(long p) {
        m.resay();
        libc.free(p);
    }

    private long realloc(long p, long n) {
        m.resay();
        return libc.realloc(p, n);
    }

    Stdio(Machine m) {
        this.m = m;
        this.libc = m.libc;
    }

    /** A forked child's streams: the parent's, each in the state it had (the FILEs are in the copied memory). */
    void copyFrom(Stdio parent) {
        for (CFile f : parent.files.values()) {
            files.put(f.fp, f.clone());
        }
        listAll = parent.listAll;
        lastUnknown = parent.lastUnknown;
        written.addAll(parent.written);
    }

    /**
     * The stream at {@code fp}: one fopen made, or stdin (made at its first use, as glibc's static
     * _IO_2_1_stdin_ is at the start: flags 0xfbad2088, no buffer, _offset -1); null for any other.
     */
    CFile file(long fp) {
        CFile f = files.get(fp);
        if (f == null && fp != 0 && fp == m.stdinFile()) {
            f = new CFile();
            f.fp = fp;
            f.fd = 0;
            f.stdin = true;
            f.flags = MAGIC | IS_FILEBUF | LINKED | NO_WRITES;
            files.put(fp, f);
            sync(f);
        }
        return f;
    }

    private long listHead() {
        return listAll != 0 ? listAll : m.kl.libcBase() + io.mallocscope.runtime.vm.KernelLayout.IO_2_1_STDERR;
    }

    // ---------------------------------------------------------------- open and close

    /**
     * {@code fopen(path, mode)}: the new FILE, or 0 with errno (the FILE malloc'ed and freed again).
     * The mode is read as glibc 2.36's _IO_new_file_fopen reads it: 'r', 'w' or 'a', then at most six
     * more characters up to a NUL: '+' reads and writes, 'x' is O_EXCL, 'e' O_CLOEXEC (and
     * _IO_FLAGS2_CLOEXEC), 'c' _IO_FLAGS2_NOTCANCEL, 'm' _IO_FLAGS2_MMAP, anything else (',' too) ignored.
     * What is not modelled (a ",ccs=" character set, 'm' on a read-only stream) stops the program only once
     * the file is open, as glibc looks at them only then: a missing file is NULL with ENOENT either way.
     */
    long fopen(long pathAddr, long modeAddr, Expr.Call site) {
        String path = m.string(pathAddr);
        String mode = m.string(modeAddr);
        long fp = malloc(FILE_SIZE);
        if (fp == 0) {
            return 0;
        }
        int oflags;
        int fl = MAGIC | IS_FILEBUF | TIED_PUT_GET | LINKED;
        char c = mode.isEmpty() ? '?' : mode.charAt(0);
        boolean plus = false;
        int flags2 = 0;
        int more = 0;
        for (int i = 1; i < 7 && i < mode.length(); i++) {
            char x = mode.charAt(i);
            switch (x) {
                case '+' -> plus = true;
                case 'x' -> more |= LibC.O_EXCL;
                case 'e' -> {
                    more |= LibC.O_CLOEXEC;
                    flags2 |= FLAGS2_CLOEXEC;
                }
                case 'c' -> flags2 |= FLAGS2_NOTCANCEL;
                case 'm' -> flags2 |= FLAGS2_MMAP;
                default -> {
                    // 'b' and anything else: ignored
                }
            }
        }
        switch (c) {
            case 'r' -> {
                oflags = plus ? 2 : 0;
                fl |= plus ? 0 : NO_WRITES;
            }
            case 'w' -> {
                oflags = (plus ? 2 : 1) | 0100 | 01000;
                fl |= plus ? 0 : NO_READS;
            }
            case 'a' -> {
                oflags = (plus ? 2 : 1) | 0100 | 02000;
                fl |= IS_APPENDING | (plus ? 0 : NO_READS);
            }
            default -> {
                free(fp);
                m.process.kernel().setErrno(Errno.EINVAL);
                return 0;
            }
        }
        oflags |= more;
        CFile f = new CFile();
        int fd;
        if (path.equals("/proc/self/maps") && c == 'r' && !plus) {
            // the kernel makes the text when it is read (kernelRead); its descriptor is held by an open of "/"
            fd = libc.open("/", 0, 0);
            f.generated = true;
        } else {
            fd = libc.open(pathAddr, oflags, 0666);
        }
        if (fd < 0) {
            free(fp);
            return 0;
        }
        if (mode.contains(",ccs=")) {
            throw new CompileError(site.at, "unsupported: fopen mode \"" + mode + "\" (a ccs= character set)");
        }
        if ((flags2 & FLAGS2_MMAP) != 0 && (fl & NO_WRITES) != 0) {
            // glibc reads such a stream through an mmap of the file, not a malloc'ed buffer
            throw new CompileError(site.at, "unsupported: fopen mode \"" + mode + "\" ('m': reading through mmap)");
        }
        f.fp = fp;
        f.fd = fd;
        f.flags = fl;
        m.mem.fill(fp, 0, FILE_SIZE);
        m.wroteDefined(fp, FILE_SIZE); // glibc's fopen sets the FILE's fields: none is undefined
        m.mem.write64(fp + CHAIN, listHead());
        m.mem.write32(fp + FILENO, fd);
        m.mem.write32(fp + FLAGS2, flags2);
        m.mem.write64(fp + LOCK, fp + LOCK_OBJECT);
        m.mem.write64(fp + OFFSET, -1);
        m.mem.write64(fp + VTABLE, m.kl.libcBase() + FILE_JUMPS);
        listAll = fp;
        files.put(fp, f);
        sync(f);
        return fp;
    }

    /**
     * {@code fclose(fp)} as _IO_new_fclose: what is written goes out, the backup area is freed, the
     * descriptor closes, the buffer is freed (not the program's own), then the FILE.
     */
    int fclose(CFile f) {
        int r = 0;
        if ((f.flags & NO_WRITES) == 0 && f.putting()) {
            r = doWrite(f, f.writeBase, f.writePtr - f.writeBase) ? 0 : -1;
        }
        if (f.saveBase != 0) {
            freeBackupArea(f);
        }
        if (libc.close(f.fd) != 0) {
            r = -1;
        }
        setb(f, 0, 0, false);
        f.readPtr = f.readEnd = f.readBase = f.writeBase = f.writePtr = f.writeEnd = 0;
        unlink(f);
        f.flags = MAGIC | IS_FILEBUF | NO_READS | NO_WRITES | TIED_PUT_GET;
        f.offset = -1;
        sync(f);
        m.mem.write32(f.fp + FILENO, -1);
        free(f.fp);
        return r;
    }

    private void unlink(CFile f) {
        files.remove(f.fp);
        long next = m.mem.read64(f.fp + CHAIN);
        if (listAll == f.fp) {
            listAll = next;
            return;
        }
        for (CFile o : files.values()) {
            if (m.mem.read64(o.fp + CHAIN) == f.fp) {
                m.mem.write64(o.fp + CHAIN, next);
            }
        }
    }

    /** exit(): glibc's _IO_cleanup writes out what every open stream still holds. */
    void flushAll() {
        List<CFile> open = new ArrayList<>(files.values());
        for (CFile f : open) {
            if (f.writePtr > f.writeBase) {
                doWrite(f, f.writeBase, f.writePtr - f.writeBase);
                sync(f);
            }
        }
    }

    // ---------------------------------------------------------------- the buffer (libio's own steps)

    /** _IO_setb: the buffer becomes [b, eb); the old one is freed unless it was the program's (_IO_USER_BUF). */
    private void setb(CFile f, long b, long eb, boolean owned) {
        if (f.bufBase != 0 && (f.flags & USER_BUF) == 0) {
            free(f.bufBase);
        }
        f.bufBase = b;
        f.bufEnd = eb;
        if (owned) {
            f.flags &= ~USER_BUF;
        } else {
            f.flags |= USER_BUF;
        }
    }

    /** _IO_file_doallocate: a buffer of st_blksize bytes (4096 for a file, 1024 for a /proc file). */
    private boolean doallocate(CFile f) {
        int size = f.generated ? 1024 : 4096;
        long p = malloc(size);
        if (p == 0) {
            return false;
        }
        setb(f, p, p + size, true);
        return true;
    }

    /** _IO_doallocbuf: a buffer unless there is one; an unbuffered stream gets _shortbuf. */
    private void doallocbuf(CFile f) {
        if (f.bufBase != 0) {
            return;
        }
        if ((f.flags & UNBUFFERED) == 0 && doallocate(f)) {
            return;
        }
        setb(f, f.shortbuf(), f.shortbuf() + 1, false);
    }

    private void setg(CFile f, long base, long ptr, long end) {
        f.readBase = base;
        f.readPtr = ptr;
        f.readEnd = end;
    }

    private void setp(CFile f, long base, long end) {
        f.writeBase = f.writePtr = base;
        f.writeEnd = end;
    }

    /** The FILE's fields as glibc keeps them: flags, the read, write, buffer and backup pointers, _offset, _mode. */
    private void sync(CFile f) {
        long p = f.fp;
        if (f.stdin) {
            io.mallocscope.runtime.vm.Region r = m.mem.regionAt(p);
            if (r == null || (r.prot() & io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE) == 0) {
                return; // a kernel layout whose libc data the runtime maps read-only there: the state stays in here
            }
        }
        m.mem.write32(p, f.flags);
        long[] ptrs = {f.readPtr, f.readEnd, f.readBase, f.writeBase, f.writePtr, f.writeEnd, f.bufBase, f.bufEnd,
            f.saveBase, f.backupBase, f.saveEnd};
        for (int i = 0; i < ptrs.length; i++) {
            m.mem.write64(p + READ_PTR + 8L * i, ptrs[i]);
        }
        m.mem.write64(p + OFFSET, f.offset);
        m.mem.write32(p + MODE, f.orientation);
    }

    /** _IO_SYSREAD: read(2), or the kernel making /proc/self/maps. */
    private long sysread(CFile f, long dst, long n) {
        if (f.stdin) {
            return m.readStdinBuffer(dst, n);
        }
        return f.generated ? kernelRead(f, dst, (int) n) : libc.read(f.fd, dst, n);
    }

    /** _IO_SYSSEEK: lseek(2); on /proc/self/maps the text is made again from the new place. */
    private long sysseek(CFile f, long offset, int whence) {
        if (f.stdin) {
            // the program's input is taken as a pipe or terminal (the front end does not know its offset)
            m.process.kernel().setErrno(Errno.ESPIPE);
            return -1;
        }
        if (!f.generated) {
            return libc.lseek(f.fd, offset, whence);
        }
        long to = whence == 1 ? f.delivered + offset : offset; // SEEK_END: st_size is 0
        if (to < 0) {
            m.process.kernel().setErrno(Errno.EINVAL);
            return -1;
        }
        if (whence != 1 || offset != 0) {
            procSeek(f, to);
        }
        return to;
    }

    /** _IO_new_file_write: write(2) until done or failed (_IO_ERR_SEEN); a known _offset moves on. */
    private long syswrite(CFile f, long src, long n) {
        long done = 0;
        while (done < n) {
            long w = libc.write(f.fd, src + done, n - done);
            if (w < 0) {
                f.flags |= ERR_SEEN;
                break;
            }
            done += w;
        }
        if (f.offset >= 0) {
            f.offset += done;
        }
        return done;
    }

    /** new_do_write: {@code n} bytes from {@code src} to the file, from where the stream's reads left it. */
    private long newDoWrite(CFile f, long src, long n) {
        if ((f.flags & IS_APPENDING) != 0) {
            f.offset = -1;
        } else if (f.readEnd != f.writeBase) {
            long pos = sysseek(f, f.writeBase - f.readEnd, 1);
            if (pos == -1) {
                return 0;
            }
            f.offset = pos;
        }
        long count = syswrite(f, src, n);
        setg(f, f.bufBase, f.bufBase, f.bufBase);
        f.writeBase = f.writePtr = f.bufBase;
        f.writeEnd = (f.flags & (LINE_BUF | UNBUFFERED)) != 0 ? f.bufBase : f.bufEnd;
        return count;
    }

    /** _IO_new_do_write: true when all {@code n} bytes were written. */
    private boolean doWrite(CFile f, long src, long n) {
        return n == 0 || newDoWrite(f, src, n) == n;
    }

    /** _IO_new_file_overflow: switches to writing (making the buffer), writes out, then puts {@code ch} (-1: none). */
    private int overflow(CFile f, int ch) {
        if (denied(f, NO_WRITES)) {
            return -1;
        }
        if (!f.putting() || f.writeBase == 0) {
            if (f.writeBase == 0) {
                doallocbuf(f);
                setg(f, f.bufBase, f.bufBase, f.bufBase);
            }
            if (f.inBackup()) {
                long nbackup = f.readEnd - f.readPtr;
                freeBackupArea(f);
                f.readBase -= Math.min(nbackup, f.readBase - f.bufBase);
                f.readPtr = f.readBase;
            }
            if (f.readPtr == f.bufEnd) {
                f.readEnd = f.readPtr = f.bufBase;
            }
            f.writePtr = f.readPtr;
            f.writeBase = f.writePtr;
            f.writeEnd = f.bufEnd;
            f.readBase = f.readPtr = f.readEnd;
            f.flags |= CURRENTLY_PUTTING;
            if ((f.flags & (LINE_BUF | UNBUFFERED)) != 0) {
                f.writeEnd = f.writePtr;
            }
        }
        if (ch == -1) {
            return doWrite(f, f.writeBase, f.writePtr - f.writeBase) ? 0 : -1;
        }
        if (f.writePtr == f.bufEnd && !doWrite(f, f.writeBase, f.writePtr - f.writeBase)) {
            return -1;
        }
        libc.putByte(f.writePtr++, ch);
        if ((f.flags & UNBUFFERED) != 0 || (f.flags & LINE_BUF) != 0 && ch == '\n') {
            if (!doWrite(f, f.writeBase, f.writePtr - f.writeBase)) {
                return -1;
            }
        }
        return ch & 0xff;
    }

    /** _IO_switch_to_get_mode: what is written goes out, and the stream reads from where it is. */
    private boolean switchToGetMode(CFile f) {
        if (f.writePtr > f.writeBase && overflow(f, -1) == -1) {
            return false;
        }
        if (f.inBackup()) {
            f.readBase = f.backupBase;
        } else {
            f.readBase = f.bufBase;
            if (f.writePtr > f.readEnd) {
                f.readEnd = f.writePtr;
            }
        }
        f.readPtr = f.writePtr;
        f.writeBase = f.writePtr = f.writeEnd = f.readPtr;
        f.flags &= ~CURRENTLY_PUTTING;
        return true;
    }

    /** _IO_new_file_underflow: refills the buffer with one read(2) of its size; the next byte, or -1. */
    private int fileUnderflow(CFile f) {
        if ((f.flags & EOF_SEEN) != 0) {
            return -1;
        }
        if (denied(f, NO_READS)) {
            return -1;
        }
        if (f.readPtr < f.readEnd) {
            return m.mem.read8(f.readPtr);
        }
        if (f.bufBase == 0) {
            if (f.saveBase != 0) {
                free(f.saveBase); // glibc frees the pushback area and keeps the pointers
                f.flags &= ~IN_BACKUP;
            }
            doallocbuf(f);
        }
        switchToGetMode(f);
        f.readBase = f.readPtr = f.readEnd = f.bufBase;
        f.writeBase = f.writePtr = f.writeEnd = f.bufBase;
        long count = sysread(f, f.bufBase, f.bufEnd - f.bufBase);
        if (count <= 0) {
            if (count == 0) {
                f.flags |= EOF_SEEN;
            } else {
                f.flags |= ERR_SEEN;
                count = 0;
            }
        }
        f.readEnd += count;
        if (count == 0) {
            f.offset = -1;
            return -1;
        }
        if (f.offset != -1) {
            f.offset += count;
        }
        return m.mem.read8(f.readPtr);
    }

    /** __underflow: the pushback area first, then the file; the next byte without taking it, or -1. */
    private int underflow(CFile f) {
        if (f.orientation == 0) {
            f.orientation = -1;
        }
        if (f.putting() && !switchToGetMode(f)) {
            return -1;
        }
        if (f.readPtr < f.readEnd) {
            return m.mem.read8(f.readPtr);
        }
        if (f.inBackup()) {
            switchToMainGetArea(f);
            if (f.readPtr < f.readEnd) {
                return m.mem.read8(f.readPtr);
            }
        }
        if (f.saveBase != 0) {
            freeBackupArea(f);
        }
        return fileUnderflow(f);
    }

    /** __uflow: as {@link #underflow}, and takes the byte. */
    private int uflow(CFile f) {
        int c = underflow(f);
        if (c != -1) {
            f.readPtr++;
        }
        return c;
    }

    /** _IO_switch_to_main_get_area: back from the pushback area to the buffer, where the reads left it. */
    private void switchToMainGetArea(CFile f) {
        f.flags &= ~IN_BACKUP;
        swapGetAreas(f);
        f.readPtr = f.readBase;
    }

    /** _IO_switch_to_backup_area: reads come from the pushback area, from its end. */
    private void switchToBackupArea(CFile f) {
        f.flags |= IN_BACKUP;
        swapGetAreas(f);
        f.readPtr = f.readEnd;
    }

    /** The get area's base and end trade places with the saved ones (both switches do it). */
    private static void swapGetAreas(CFile f) {
        long t = f.readEnd;
        f.readEnd = f.saveEnd;
        f.saveEnd = t;
        t = f.readBase;
        f.readBase = f.saveBase;
        f.saveBase = t;
    }

    /** _IO_free_backup_area. */
    private void freeBackupArea(CFile f) {
        if (f.inBackup()) {
            switchToMainGetArea(f);
        }
        free(f.saveBase);
        f.saveBase = f.saveEnd = f.backupBase = 0;
    }

    /**
     * One read(2) of /proc/self/maps into the buffer, as Linux's seq_file does it: first what the
     * previous read made and did not hand over; then lines for the mappings that end above the last
     * one written, made from the address space as it is now, until they cover what the read asks.
     */
    private long kernelRead(CFile f, long dst, int want) {
        int n = Math.min(want, f.text.length - f.textPos);
        m.mem.writeBytes(dst, f.text, f.textPos, n);
        m.wroteDefined(dst, n);
        f.textPos += n;
        if (n < want && f.shownEnd != -1) {
            java.io.ByteArrayOutputStream made = new java.io.ByteArrayOutputStream();
            for (String line : m.mem.maps().split("\n")) {
                if (made.size() >= want - n) {
                    break;
                }
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                if (Long.compareUnsigned(end, f.shownEnd) > 0) {
                    made.writeBytes((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
                    f.shownEnd = end;
                }
            }
            if (made.size() == 0) {
                f.shownEnd = -1; // past the last mapping: the end of the file
            }
            f.text = made.toByteArray();
            int k = Math.min(want - n, f.text.length);
            m.mem.writeBytes(dst + n, f.text, 0, k);
            m.wroteDefined(dst + n, k);
            f.textPos = k;
            n += k;
        }
        f.delivered += n;
        return n;
    }

    // ---------------------------------------------------------------- reading

    boolean readable(CFile f) {
        return !denied(f, NO_READS);
    }

    /** A read of a write-only stream or a write of a read-only one ({@code which}): _IO_ERR_SEEN and EBADF. */
    private boolean denied(CFile f, int which) {
        if ((f.flags & which) == 0) {
            return false;
        }
        f.flags |= ERR_SEEN;
        m.process.kernel().setErrno(Errno.EBADF);
        return true;
    }

    /** {@code fgetc}: the next byte, or -1 (EOF). */
    int getc(CFile f) {
        int c = f.readPtr < f.readEnd ? m.mem.read8(f.readPtr++) : uflow(f);
        sync(f);
        return c;
    }

    /** {@code fgets(s, n, f)} as _IO_getline: up to n-1 bytes, to a newline included; s, or 0 when nothing was read. */
    long fgets(long s, int n, CFile f) {
        if (n <= 0) {
            return 0;
        }
        if (n == 1) {
            libc.putByte(s, 0);
            return s;
        }
        int oldError = f.flags & ERR_SEEN;
        f.flags &= ~ERR_SEEN;
        if (f.orientation == 0) {
            f.orientation = -1;
        }
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        int left = n - 1;
        while (left != 0) {
            long len = f.readEnd - f.readPtr;
            if (len <= 0) {
                int c = uflow(f);
                if (c == -1) {
                    break;
                }
                got.write(c);
                left--;
                if (c == '\n') {
                    break;
                }
                continue;
            }
            len = Math.min(len, left);
            byte[] chunk = libc.readBytes(f.readPtr, (int) len);
            int take = chunk.length;
            boolean nl = false;
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i] == '\n') {
                    take = i + 1;
                    nl = true;
                    break;
                }
            }
            got.write(chunk, 0, take);
            f.readPtr += take;
            left -= take;
            if (nl) {
                break;
            }
        }
        boolean failed = got.size() == 0 || (f.flags & ERR_SEEN) != 0;
        f.flags |= oldError;
        sync(f);
        if (failed) {
            return 0;
        }
        byte[] b = got.toByteArray();
        libc.writeBytes(s, b);
        libc.putByte(s + b.length, 0);
        return s;
    }

    /**
     * {@code getdelim(lineptr, n, delim, f)} (and getline) as glibc 2.36's __getdelim: a stream with its
     * error flag set fails at once; a NULL line or a size of 0 gets 120 bytes malloc'ed (before the
     * stream's first read mallocs its buffer); then the bytes up to the delimiter are taken from the
     * buffer a refill at a time, the line realloc'ed, whenever it would not hold them and the NUL, to
     * what it needs or twice its size, whichever is more. The length read, or -1 (nothing before EOF).
     */
    long getdelim(long lineptr, long np, int delim, CFile f) {
        if (lineptr == 0 || np == 0) {
            m.process.kernel().setErrno(Errno.EINVAL);
            return -1;
        }
        if ((f.flags & ERR_SEEN) != 0) {
            return -1;
        }
        long line = libc.getLong(lineptr);
        long n = libc.getLong(np);
        if (line == 0 || n == 0) {
            n = 120;
            libc.putLong(np, n);
            line = malloc(n);
            libc.putLong(lineptr, line);
            if (line == 0) {
                return -1;
            }
        }
        long len = f.readEnd - f.readPtr;
        if (len <= 0) {
            if (underflow(f) == -1) {
                sync(f);
                return -1;
            }
            len = f.readEnd - f.readPtr;
        }
        long cur = 0;
        for (;;) {
            long t = 0;
            for (long p = f.readPtr; p < f.readPtr + len; p++) {
                if (m.mem.read8(p) == (delim & 0xff)) {
                    t = p;
                    break;
                }
            }
            if (t != 0) {
                len = t - f.readPtr + 1;
            }
            long needed = cur + len + 1;
            if (Long.compareUnsigned(needed, n) > 0) {
                if (Long.compareUnsigned(needed, 2 * n) < 0) {
                    needed = 2 * n;
                }
                long grown = realloc(line, needed);
                if (grown == 0) {
                    sync(f);
                    return -1;
                }
                line = grown;
                libc.putLong(lineptr, line);
                n = needed;
                libc.putLong(np, n);
            }
            libc.memcpy(line + cur, f.readPtr, len);
            f.readPtr += len;
            cur += len;
            if (t != 0 || underflow(f) == -1) {
                break;
            }
            len = f.readEnd - f.readPtr;
        }
        libc.putByte(line + cur, 0);
        sync(f);
        return cur;
    }

    /** {@code fread} as _IO_file_xsgetn: a request of a buffer or more is read straight into {@code dst}. */
    long fread(long dst, long size, long nmemb, CFile f) {
        long want = size * nmemb;
        if (want == 0) {
            return 0;
        }
        long n = want;
        if (f.bufBase == 0) {
            if (f.saveBase != 0) {
                free(f.saveBase);
                f.flags &= ~IN_BACKUP;
            }
            doallocbuf(f);
        }
        long s = dst;
        while (want > 0) {
            long have = f.readEnd - f.readPtr;
            if (want <= have) {
                libc.writeBytes(s, libc.readBytes(f.readPtr, (int) want));
                f.readPtr += want;
                want = 0;
                break;
            }
            if (have > 0) {
                libc.writeBytes(s, libc.readBytes(f.readPtr, (int) have));
                s += have;
                want -= have;
                f.readPtr += have;
            }
            if (f.inBackup()) {
                switchToMainGetArea(f);
                continue;
            }
            if (f.bufBase != 0 && want < f.bufEnd - f.bufBase) {
                if (underflow(f) == -1) {
                    break;
                }
                continue;
            }
            setg(f, f.bufBase, f.bufBase, f.bufBase);
            setp(f, f.bufBase, f.bufBase);
            long count = want;
            long block = f.bufEnd - f.bufBase;
            if (block >= 128) {
                count -= want % block;
            }
            count = sysread(f, s, count);
            if (count <= 0) {
                f.flags |= count == 0 ? EOF_SEEN : ERR_SEEN;
                break;
            }
            s += count;
            want -= count;
            if (f.offset != -1) {
                f.offset += count;
            }
        }
        sync(f);
        long read = n - want;
        return read == n ? nmemb : read / size;
    }

    /** fscanf's source: the stream's bytes through its buffer (vfscanf reads with getc and pushes one back). */
    Scanf.Source source(CFile f) {
        return new Scanf.Source() {
            @Override
            public int peek() {
                int c = underflow(f);
                sync(f);
                return c;
            }

            @Override
            public void skip() {
                f.readPtr++;
                sync(f);
            }
        };
    }

    /**
     * {@code ungetc(c, f)} as _IO_sputbackc: the byte just read is stepped back over; any other goes
     * into the pushback area (_IO_default_pbackfail: 128 bytes malloc'ed at the first, doubled when full).
     */
    int ungetc(int c, CFile f) {
        if (c == -1) {
            return -1;
        }
        c &= 0xff;
        int r;
        if (f.readPtr > f.readBase && m.mem.read8(f.readPtr - 1) == c) {
            f.readPtr--;
            r = c;
        } else {
            r = pbackfail(f, c);
        }
        if (r != -1) {
            f.flags &= ~EOF_SEEN;
        }
        sync(f);
        return r;
    }

    private int pbackfail(CFile f, int c) {
        if (f.readPtr > f.readBase && !f.inBackup() && m.mem.read8(f.readPtr - 1) == c) {
            f.readPtr--;
            return c;
        }
        if (!f.inBackup()) {
            if (f.readPtr > f.readBase && f.saveBase != 0) {
                // save_for_backup without markers: nothing to keep, the area is reused from its end
                f.backupBase = f.saveEnd;
            } else if (f.saveBase == 0) {
                long b = malloc(BACKUP_SIZE);
                if (b == 0) {
                    return -1;
                }
                f.saveBase = b;
                f.saveEnd = b + BACKUP_SIZE;
                f.backupBase = f.saveEnd;
            }
            f.readBase = f.readPtr;
            switchToBackupArea(f);
        } else if (f.readPtr <= f.readBase) {
            long oldSize = f.readEnd - f.readBase;
            long newSize = 2 * oldSize;
            long nb = malloc(newSize);
            if (nb == 0) {
                return -1;
            }
            libc.writeBytes(nb + (newSize - oldSize), libc.readBytes(f.readBase, (int) oldSize));
            free(f.readBase);
            setg(f, nb, nb + (newSize - oldSize), nb + newSize);
            f.backupBase = f.readPtr;
        }
        libc.putByte(--f.readPtr, c);
        return c;
    }

    // ---------------------------------------------------------------- writing

    /** {@code fputc}: into the buffer, or through _IO_new_file_overflow when it has no room. */
    int putc(CFile f, int c) {
        int r;
        if (f.writePtr < f.writeEnd) {
            libc.putByte(f.writePtr++, c);
            r = c & 0xff;
        } else {
            if (f.orientation == 0) {
                f.orientation = -1;
            }
            r = overflow(f, c & 0xff);
        }
        sync(f);
        return r;
    }

    /**
     * Output to the stream (fwrite, fputs, fprintf), as _IO_new_file_xsputn: into the buffer (up to
     * its last newline when line buffered), then the buffer written out, a whole number of blocks
     * straight from {@code src}, the caller's memory (fprintf's text has none, 0: it all goes
     * through the buffer), and the rest into the buffer. Returns the bytes taken.
     */
    long write(CFile f, long src, byte[] b) {
        if (f.orientation == 0) {
            f.orientation = -1;
        }
        int n = b.length;
        if (n == 0) {
            return 0;
        }
        int toDo = n;
        int off = 0;
        boolean mustFlush = false;
        long count = 0;
        if ((f.flags & LINE_BUF) != 0 && f.putting()) {
            count = f.bufEnd - f.writePtr;
            if (count >= n) {
                for (int i = n - 1; i >= 0; i--) {
                    if (b[i] == '\n') {
                        count = i + 1;
                        mustFlush = true;
                        break;
                    }
                }
            }
        } else if (f.writeEnd > f.writePtr) {
            count = f.writeEnd - f.writePtr;
        }
        if (count > 0) {
            int k = (int) Math.min(count, toDo);
            put(f, b, 0, k);
            off = k;
            toDo -= k;
        }
        if (toDo + (mustFlush ? 1 : 0) > 0) {
            if (overflow(f, -1) == -1) {
                sync(f);
                return toDo == 0 ? -1 : n - toDo;
            }
            long block = f.bufEnd - f.bufBase;
            long doWrite = src == 0 ? 0 : toDo - (block >= 128 ? toDo % block : 0);
            if (doWrite > 0) {
                long w = newDoWrite(f, src + off, doWrite);
                toDo -= (int) w;
                if (w < doWrite) {
                    sync(f);
                    return n - toDo;
                }
                off += (int) doWrite;
            }
            if (toDo > 0) {
                toDo -= defaultXsputn(f, b, off, toDo);
            }
        }
        sync(f);
        return n - toDo;
    }

    /** _IO_default_xsputn: into the buffer, overflowing a byte at a time when it is full. */
    private int defaultXsputn(CFile f, byte[] b, int off, int n) {
        int more = n;
        while (true) {
            if (f.writePtr < f.writeEnd) {
                int k = (int) Math.min(f.writeEnd - f.writePtr, more);
                put(f, b, off, k);
                off += k;
                more -= k;
            }
            if (more == 0 || overflow(f, b[off++] & 0xff) == -1) {
                break;
            }
            more--;
        }
        return n - more;
    }

    private void put(CFile f, byte[] b, int off, int len) {
        if (len > 0) {
            libc.writeBytes(f.writePtr, java.util.Arrays.copyOfRange(b, off, off + len));
            f.writePtr += len;
        }
    }

    /** {@code fflush(f)} as _IO_new_file_sync: writes go out; a reader's file offset goes back to its place, _offset forgotten. */
    int fflush(CFile f) {
        int r = 0;
        if (f.writePtr > f.writeBase && !doWrite(f, f.writeBase, f.writePtr - f.writeBase)) {
            sync(f);
            return -1;
        }
        long delta = f.readPtr - f.readEnd;
        if (delta != 0) {
            long pos = sysseek(f, delta, 1);
            if (pos != -1) {
                f.readEnd = f.readPtr;
            } else if (!f.stdin) { // glibc ignores ESPIPE, an unseekable descriptor's error
                r = -1;
            }
        }
        if (r != -1) {
            f.offset = -1;
        }
        sync(f);
        return r;
    }

    // ---------------------------------------------------------------- buffering

    /** {@code setvbuf(f, buf, mode, size)} as _IO_setvbuf; 0, or -1 (EOF) for an unknown mode. */
    int setvbuf(CFile f, long buf, int mode, long size) {
        int r;
        switch (mode) {
            case IOFBF -> {
                f.flags &= ~(LINE_BUF | UNBUFFERED);
                if (buf == 0) {
                    r = 0;
                    if (f.bufBase == 0) {
                        if (doallocate(f)) {
                            f.flags &= ~LINE_BUF;
                        } else {
                            r = -1;
                        }
                    }
                    sync(f);
                    return r;
                }
            }
            case IOLBF -> {
                f.flags &= ~UNBUFFERED;
                f.flags |= LINE_BUF;
                if (buf == 0) {
                    sync(f);
                    return 0;
                }
            }
            case IONBF -> {
                f.flags &= ~LINE_BUF;
                f.flags |= UNBUFFERED;
                buf = 0;
                size = 0;
            }
            default -> {
                return -1;
            }
        }
        r = fileSetbuf(f, buf, size) ? 0 : -1;
        sync(f);
        return r;
    }

    /** {@code setbuf(f, buf)}: _IO_setbuffer with BUFSIZ bytes (none when buf is NULL). */
    void setbuf(CFile f, long buf) {
        f.flags &= ~LINE_BUF;
        fileSetbuf(f, buf, buf == 0 ? 0 : BUFSIZ);
        sync(f);
    }

    /** _IO_new_file_setbuf over _IO_default_setbuf: synced, the new buffer (or _shortbuf), every pointer at its start. */
    private boolean fileSetbuf(CFile f, long p, long len) {
        if (fflush(f) == -1) {
            return false;
        }
        if (p == 0 || len == 0) {
            f.flags |= UNBUFFERED;
            setb(f, f.shortbuf(), f.shortbuf() + 1, false);
        } else {
            f.flags &= ~UNBUFFERED;
            setb(f, p, p + len, false);
        }
        setp(f, f.bufBase, f.bufBase);
        setg(f, f.bufBase, f.bufBase, f.bufBase);
        return true;
    }

    // ---------------------------------------------------------------- position

    /** {@code ftell} as do_ftell: _offset (or lseek's) with what the buffer holds unread or unwritten, less pushed-back bytes. */
    long ftell(CFile f) {
        long off = 0;
        if (f.bufBase != 0) {
            boolean unflushed = f.writePtr > f.writeBase;
            boolean append = (f.flags & IS_APPENDING) != 0;
            if (unflushed && append) {
                long r = sysseek(f, 0, 2);
                if (r == -1) {
                    return -1;
                }
                f.offset = r;
            }
            if (!unflushed) {
                off -= f.readEnd - f.readPtr;
            } else if (append) {
                off += f.writePtr - f.writeBase;
            } else {
                off += f.writePtr - f.readEnd;
            }
        }
        long r = f.offset != -1 ? f.offset : sysseek(f, 0, 1);
        if (r == -1) {
            return -1;
        }
        r += off;
        if (r < 0) {
            m.process.kernel().setErrno(Errno.EINVAL);
            return -1;
        }
        if (f.inBackup()) {
            r -= f.saveEnd - f.saveBase;
        }
        sync(f);
        return r;
    }

    /**
     * lseek on /proc/self/maps (seq_lseek): the text is made again from the start, from the address
     * space as it is now, up to the line holding {@code offset}; the rest of that line is what the
     * next read hands over first.
     */
    private void procSeek(CFile f, long offset) {
        f.text = new byte[0];
        f.textPos = 0;
        f.shownEnd = 0;
        long pos = 0;
        for (String line : m.mem.maps().split("\n")) {
            byte[] b = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
            f.shownEnd = Long.parseUnsignedLong(line.substring(line.indexOf('-') + 1, line.indexOf(' ')), 16);
            if (pos + b.length > offset) {
                f.text = b;
                f.textPos = (int) (offset - pos);
                break;
            }
            pos += b.length;
        }
        f.delivered = offset;
    }

    /**
     * {@code fseek} as _IO_seekoff_unlocked and _IO_new_file_seekoff: the pushback area dropped,
     * writes out; a place inside what the buffer holds only moves the read pointer; else the
     * descriptor goes to the block boundary below it and a read fills the buffer up to it (exactly,
     * when nothing was read or written yet) or all of it; clears EOF. 0, or -1.
     */
    int fseek(CFile f, long offset, int dir) {
        if (dir < 0 || dir > 2) {
            m.process.kernel().setErrno(Errno.EINVAL);
            return -1;
        }
        if (f.saveBase != 0) {
            if (dir == 1 && f.inBackup()) {
                offset -= f.readEnd - f.readPtr;
            }
            freeBackupArea(f);
        }
        long r = seekoff(f, offset, dir);
        sync(f);
        return r == -1 ? -1 : 0;
    }

    private long seekoff(CFile f, long offset, int dir) {
        boolean mustBeExact = f.readBase == f.readEnd && f.writeBase == f.writePtr;
        boolean wasWriting = f.writePtr > f.writeBase || f.putting();
        if (wasWriting && !switchToGetMode(f)) {
            return -1;
        }
        if (f.bufBase == 0) {
            if (f.readBase != 0) {
                free(f.readBase);
                f.flags &= ~IN_BACKUP;
            }
            doallocbuf(f);
            setp(f, f.bufBase, f.bufBase);
            setg(f, f.bufBase, f.bufBase, f.bufBase);
        }
        boolean dumb = false;
        switch (dir) {
            case 1 -> {
                offset -= f.readEnd - f.readPtr;
                if (f.offset == -1) {
                    dumb = true;
                } else {
                    offset += f.offset;
                    if (offset < 0) {
                        m.process.kernel().setErrno(Errno.EINVAL);
                        return -1;
                    }
                    dir = 0;
                }
            }
            case 2 -> {
                offset += f.generated ? 0 : libc.lseek(f.fd, 0, 2); // fstat's st_size (the descriptor is placed again below)
                dir = 0;
            }
            default -> {
            }
        }
        if (!dumb) {
            if (f.offset != -1 && f.readBase != 0 && !f.inBackup()) {
                long start = f.offset - (f.readEnd - f.bufBase);
                if (offset >= start && offset < f.offset) {
                    setg(f, f.bufBase, f.bufBase + (offset - start), f.readEnd);
                    setp(f, f.bufBase, f.bufBase);
                    f.flags &= ~EOF_SEEN;
                    if (f.offset >= 0) {
                        sysseek(f, f.offset, 0); // resync: another process may have moved the descriptor
                    }
                    return offset;
                }
            }
            if ((f.flags & NO_READS) != 0) {
                dumb = true;
            }
        }
        if (!dumb) {
            long block = f.bufEnd - f.bufBase;
            long newOffset = offset & ~(block - 1);
            long delta = offset - newOffset;
            if (delta > block) {
                newOffset = offset;
                delta = 0;
            }
            long result = sysseek(f, newOffset, 0);
            if (result < 0) {
                return -1;
            }
            long count = 0;
            if (delta != 0) {
                count = sysread(f, f.bufBase, mustBeExact ? delta : block);
                if (count < delta) {
                    offset = count == -1 ? delta : delta - count;
                    dir = 1;
                    dumb = true;
                }
            }
            if (!dumb) {
                setg(f, f.bufBase, f.bufBase + delta, f.bufBase + count);
                setp(f, f.bufBase, f.bufBase);
                f.offset = result + count;
                f.flags &= ~EOF_SEEN;
                return offset;
            }
        }
        long result = sysseek(f, offset, dir);
        if (result != -1) {
            f.flags &= ~EOF_SEEN;
            f.offset = result;
            setg(f, f.bufBase, f.bufBase, f.bufBase);
            setp(f, f.bufBase, f.bufBase);
        }
        return result;
    }

    boolean eof(CFile f) {
        return (f.flags & EOF_SEEN) != 0;
    }

    boolean error(CFile f) {
        return (f.flags & ERR_SEEN) != 0;
    }

    void clearerr(CFile f) {
        f.flags &= ~(EOF_SEEN | ERR_SEEN);
        sync(f);
    }

    // ---------------------------------------------------------------- strerror

    /**
     * {@code strerror(errnum)}: where glibc keeps the message, in libc's read-only data (written there
     * the first time: the simulated libc's pages hold no text of their own). A number glibc does not
     * know gets "Unknown error N", formatted as glibc 2.36's strerror_l does: the previous such text
     * freed, then __asprintf's 100-byte buffer, the text copied into a block of its length and the
     * buffer freed (or realloc'ed to that length when the text needs half of it or more).
     */
    long strerror(int errnum) {
        long off = errnum >= 0 && errnum < MESSAGES.length ? MESSAGES[errnum] : 0;
        if (off == 0) {
            if (lastUnknown != 0) {
                free(lastUnknown);
            }
            byte[] text = ("Unknown error " + errnum + "\0").getBytes(StandardCharsets.US_ASCII);
            long buf = malloc(100);
            if (buf == 0) {
                return lastUnknown = 0;
            }
            libc.writeBytes(buf, text);
            long needed = text.length;
            if (100 >> 1 <= needed) {
                lastUnknown = realloc(buf, needed);
            } else {
                lastUnknown = malloc(needed);
                if (lastUnknown != 0) {
                    libc.writeBytes(lastUnknown, text);
                }
                free(buf);
            }
            return lastUnknown;
        }
        long at = m.kl.libcBase() + off;
        if (written.add(errnum)) {
            byte[] text = (Errno.message(errnum) + "\0").getBytes(StandardCharsets.US_ASCII);
            m.pokeReadOnly(at, text);
        }
        return at;
    }
}
