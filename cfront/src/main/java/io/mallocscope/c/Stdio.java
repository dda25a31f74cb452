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
    private static final int MAGIC = 0xfbad0000, NO_READS = 4, NO_WRITES = 8, EOF_SEEN = 0x10, ERR_SEEN = 0x20,
            LINKED = 0x80, TIED_PUT_GET = 0x400, CURRENTLY_PUTTING = 0x800, IS_APPENDING = 0x1000, IS_FILEBUF = 0x2000;
    /** _flags2's bits fopen's mode sets (libio.h). */
    private static final int FLAGS2_MMAP = 1, FLAGS2_NOTCANCEL = 2, FLAGS2_CLOEXEC = 64;
    private static final int READ_PTR = 0x8, CHAIN = 0x68, FILENO = 0x70, FLAGS2 = 0x74, LOCK = 0x88, OFFSET = 0x90, MODE = 0xc0,
            VTABLE = 0xd8, LOCK_OBJECT = 0xe0;

    /** One open stream: the FILE at {@code fp} and glibc's state of it. */
    static final class CFile implements Cloneable {
        long fp;
        int fd;
        int flags;
        long buf;
        int bufSize;
        /** Reading: the next byte and the end of what the buffer holds. Writing: the next free byte. */
        long rptr;
        long rend;
        long wptr;
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

        boolean putting() {
            return (flags & CURRENTLY_PUTTING) != 0;
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

    /** The stream at {@code fp}, or null if it is not one fopen made. */
    CFile file(long fp) {
        return files.get(fp);
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
        long fp = libc.malloc(FILE_SIZE);
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
                libc.free(fp);
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
            libc.free(fp);
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

    /** {@code fclose(fp)}: what is written goes out, the descriptor closes, the buffer then the FILE are freed. */
    int fclose(CFile f) {
        int r = flushWrites(f) ? 0 : -1;
        if (libc.close(f.fd) != 0) {
            r = -1;
        }
        unlink(f);
        if (f.buf != 0) {
            libc.free(f.buf);
        }
        libc.free(f.fp);
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
            flushWrites(f);
        }
    }

    // ---------------------------------------------------------------- the buffer

    private void allocate(CFile f) {
        if (f.buf == 0) {
            f.bufSize = f.generated ? 1024 : 4096; // st_blksize
            f.buf = libc.malloc(f.bufSize);
            f.rptr = f.rend = f.wptr = f.buf;
        }
        f.orientation = -1;
    }

    /** The FILE's fields as glibc keeps them: flags, the read, write and buffer pointers, _mode. */
    private void sync(CFile f) {
        long p = f.fp;
        m.mem.write32(p, f.flags);
        long end = f.buf == 0 ? 0 : f.buf + f.bufSize;
        long[] ptrs;
        if (f.buf == 0) {
            ptrs = new long[8];
        } else if (f.putting()) {
            ptrs = new long[] {f.buf, f.buf, f.buf, f.buf, f.wptr, end, f.buf, end};
        } else {
            ptrs = new long[] {f.rptr, f.rend, f.buf, f.buf, f.buf, f.buf, f.buf, end};
        }
        for (int i = 0; i < 8; i++) {
            m.mem.write64(p + READ_PTR + 8L * i, ptrs[i]);
        }
        m.mem.write32(p + MODE, f.orientation);
    }

    /** Writes out what the buffer holds; false on a write error. */
    private boolean flushWrites(CFile f) {
        if (!f.putting()) {
            return true;
        }
        boolean ok = true;
        long n = f.wptr - f.buf;
        if (n > 0 && libc.write(f.fd, f.buf, n) != n) {
            f.flags |= ERR_SEEN;
            ok = false;
        }
        f.wptr = f.buf;
        sync(f);
        return ok;
    }

    /** Reading after writing (r+, w+, a+): the writes go out first. Writing after reading: the file offset goes back to the reader's place. */
    private void toReading(CFile f) {
        if (f.putting()) {
            flushWrites(f);
            f.flags &= ~CURRENTLY_PUTTING;
            f.rptr = f.rend = f.buf;
        }
    }

    private void toWriting(CFile f) {
        if (!f.putting()) {
            if (f.rend > f.rptr && !f.generated) {
                libc.lseek(f.fd, f.rptr - f.rend, 1);
            }
            f.flags |= CURRENTLY_PUTTING;
            f.wptr = f.buf;
        }
    }

    /** _IO_file_underflow: refills the buffer with one read(2) of its size; the count read (0 at the end). */
    private long underflow(CFile f) {
        allocate(f);
        toReading(f);
        long n;
        if (f.generated) {
            n = kernelRead(f, f.bufSize);
        } else {
            n = libc.read(f.fd, f.buf, f.bufSize);
        }
        f.rptr = f.buf;
        f.rend = f.buf + Math.max(n, 0);
        if (n == 0) {
            f.flags |= EOF_SEEN;
            f.rptr = f.rend = f.buf;
        } else if (n < 0) {
            f.flags |= ERR_SEEN;
        }
        sync(f);
        return n;
    }

    /**
     * One read(2) of /proc/self/maps into the buffer, as Linux's seq_file does it: first what the
     * previous read made and did not hand over; then lines for the mappings that end above the last
     * one written, made from the address space as it is now, until they cover what the read asks.
     */
    private long kernelRead(CFile f, int want) {
        int n = Math.min(want, f.text.length - f.textPos);
        m.mem.writeBytes(f.buf, f.text, f.textPos, n);
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
            m.mem.writeBytes(f.buf + n, f.text, 0, k);
            f.textPos = k;
            n += k;
        }
        f.delivered += n;
        return n;
    }

    // ---------------------------------------------------------------- reading

    boolean readable(CFile f) {
        if ((f.flags & NO_READS) != 0) {
            f.flags |= ERR_SEEN;
            m.process.kernel().setErrno(Errno.EBADF);
            return false;
        }
        return true;
    }

    boolean writable(CFile f) {
        if ((f.flags & NO_WRITES) != 0) {
            f.flags |= ERR_SEEN;
            m.process.kernel().setErrno(Errno.EBADF);
            return false;
        }
        return true;
    }

    /** {@code fgetc}: the next byte, or -1 (EOF). */
    int getc(CFile f) {
        if (!readable(f)) {
            return -1;
        }
        if (f.putting() || f.rptr >= f.rend) {
            if (underflow(f) <= 0) {
                return -1;
            }
        }
        int b = m.mem.read8(f.rptr++);
        sync(f);
        return b;
    }

    /** {@code fgets(s, n, f)}: up to n-1 bytes, to a newline included; s, or 0 when nothing was read. */
    long fgets(long s, int n, CFile f) {
        if (n <= 0 || !readable(f)) {
            return 0;
        }
        if (n == 1) {
            libc.putByte(s, 0);
            return s;
        }
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        while (got.size() < n - 1) {
            if (f.putting() || f.rptr >= f.rend) {
                if (underflow(f) <= 0) {
                    break;
                }
            }
            int want = n - 1 - got.size();
            long have = f.rend - f.rptr;
            byte[] chunk = libc.readBytes(f.rptr, (int) Math.min(want, have));
            int take = chunk.length;
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i] == '\n') {
                    take = i + 1;
                    break;
                }
            }
            got.write(chunk, 0, take);
            f.rptr += take;
            if (take > 0 && chunk[take - 1] == '\n') {
                break;
            }
        }
        sync(f);
        if (got.size() == 0 || (f.flags & ERR_SEEN) != 0 && got.size() == 0) {
            return 0;
        }
        byte[] b = got.toByteArray();
        libc.writeBytes(s, b);
        libc.putByte(s + b.length, 0);
        return s;
    }

    /** {@code fread}: whole items read; as _IO_file_xsgetn, a request of a buffer or more is read straight into {@code dst}. */
    long fread(long dst, long size, long nmemb, CFile f) {
        long want = size * nmemb;
        if (want == 0 || !readable(f)) {
            return 0;
        }
        allocate(f);
        toReading(f);
        long done = 0;
        while (done < want) {
            long have = f.rend - f.rptr;
            if (have > 0) {
                long k = Math.min(have, want - done);
                libc.writeBytes(dst + done, libc.readBytes(f.rptr, (int) k));
                f.rptr += k;
                done += k;
                continue;
            }
            long left = want - done;
            if (left < f.bufSize || f.generated) {
                if (underflow(f) <= 0) {
                    break;
                }
                continue;
            }
            long count = left - left % f.bufSize;
            long n = libc.read(f.fd, dst + done, count);
            if (n <= 0) {
                f.flags |= n == 0 ? EOF_SEEN : ERR_SEEN;
                break;
            }
            done += n;
        }
        sync(f);
        return done / size;
    }

    /** fscanf's source: the stream's bytes through its buffer. */
    Scanf.Source source(CFile f) {
        return new Scanf.Source() {
            @Override
            public int peek() {
                if (f.putting() || f.rptr >= f.rend) {
                    if (!readable(f) || underflow(f) <= 0) {
                        return -1;
                    }
                }
                return m.mem.read8(f.rptr);
            }

            @Override
            public void skip() {
                f.rptr++;
                sync(f);
            }
        };
    }

    // ---------------------------------------------------------------- writing

    /**
     * Output to the stream (fwrite, fputs, fputc, fprintf), as _IO_new_file_xsputn: into the buffer
     * (malloc'ed at the first output), written out when full; past a full buffer, a whole number of
     * blocks goes to the file straight from {@code src}, the caller's memory, when there is one
     * (fprintf's text has none: it goes through the buffer). Returns the bytes taken.
     */
    long write(CFile f, long src, byte[] b) {
        if (!writable(f) || b.length == 0) {
            return 0;
        }
        int n = b.length;
        int off = 0;
        long count = f.buf != 0 && f.putting() ? f.buf + f.bufSize - f.wptr : 0;
        if (count > 0) {
            off = (int) Math.min(count, n);
            put(f, b, 0, off);
        }
        if (off < n) {
            // _IO_OVERFLOW (f, EOF): the buffer is made or switched to writing, and what it holds goes out
            allocate(f);
            toWriting(f);
            if (!flushWrites(f)) {
                return off;
            }
            int toDo = n - off;
            int direct = toDo - toDo % f.bufSize;
            if (direct > 0 && src != 0) {
                long w = libc.write(f.fd, src + off, direct);
                if (w != direct) {
                    f.flags |= ERR_SEEN;
                    sync(f);
                    return off + Math.max(w, 0);
                }
                off += direct;
            }
            while (off < n) { // the rest through the buffer (all of fprintf's text, which has no address)
                if (f.wptr == f.buf + f.bufSize && !flushWrites(f)) {
                    return off;
                }
                int k = (int) Math.min(f.buf + f.bufSize - f.wptr, n - off);
                put(f, b, off, k);
                off += k;
            }
        }
        sync(f);
        return off;
    }

    private void put(CFile f, byte[] b, int off, int len) {
        libc.writeBytes(f.wptr, java.util.Arrays.copyOfRange(b, off, off + len));
        f.wptr += len;
    }

    /** {@code fflush(f)}: writes go out; a reader's file offset goes back to its place (_IO_new_file_sync). */
    int fflush(CFile f) {
        if (f.putting()) {
            return flushWrites(f) ? 0 : -1;
        }
        if (f.rend > f.rptr && !f.generated) {
            libc.lseek(f.fd, f.rptr - f.rend, 1);
            f.rptr = f.rend;
            sync(f);
        }
        return 0;
    }

    // ---------------------------------------------------------------- position

    /** {@code ftell}: the descriptor's offset, less what the buffer holds unread, plus what it holds unwritten. */
    long ftell(CFile f) {
        if (f.generated) {
            return f.delivered - (f.rend - f.rptr);
        }
        long pos = libc.lseek(f.fd, 0, 1);
        if (pos < 0) {
            return -1;
        }
        return f.putting() ? pos + (f.wptr - f.buf) : pos - (f.rend - f.rptr);
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

    /** {@code fseek}: writes out, forgets what was read ahead, moves the descriptor; clears EOF. */
    int fseek(CFile f, long offset, int whence) {
        if (whence == 1) {
            long at = ftell(f);
            if (at < 0) {
                return -1;
            }
            offset += at;
            whence = 0;
        }
        if (!flushWrites(f)) {
            return -1;
        }
        long r;
        if (f.generated) {
            // glibc turns SEEK_END into SEEK_SET at st_size, 0 for a /proc file
            r = offset < 0 ? -1 : offset;
            if (r >= 0) {
                procSeek(f, offset);
            } else {
                m.process.kernel().setErrno(Errno.EINVAL);
            }
        } else {
            r = libc.lseek(f.fd, offset, whence);
        }
        if (r < 0) {
            return -1;
        }
        f.rptr = f.rend = f.buf;
        f.flags &= ~(EOF_SEEN | CURRENTLY_PUTTING);
        if (f.buf != 0) {
            f.wptr = f.buf;
        }
        sync(f);
        return 0;
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
                libc.free(lastUnknown);
            }
            byte[] text = ("Unknown error " + errnum + "\0").getBytes(StandardCharsets.US_ASCII);
            long buf = libc.malloc(100);
            if (buf == 0) {
                return lastUnknown = 0;
            }
            libc.writeBytes(buf, text);
            long needed = text.length;
            if (100 >> 1 <= needed) {
                lastUnknown = libc.realloc(buf, needed);
            } else {
                lastUnknown = libc.malloc(needed);
                if (lastUnknown != 0) {
                    libc.writeBytes(lastUnknown, text);
                }
                libc.free(buf);
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
