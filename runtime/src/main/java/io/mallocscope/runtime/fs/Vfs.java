package io.mallocscope.runtime.fs;

import io.mallocscope.runtime.sched.Scheduler;
import io.mallocscope.runtime.signal.BrokenPipe;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;
import io.mallocscope.runtime.vm.MappableFiles;
import io.mallocscope.runtime.vm.Region;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import static io.mallocscope.runtime.vm.Errno.EBADF;
import static io.mallocscope.runtime.vm.Errno.EEXIST;
import static io.mallocscope.runtime.vm.Errno.EFAULT;
import static io.mallocscope.runtime.vm.Errno.EINVAL;
import static io.mallocscope.runtime.vm.Errno.EIO;
import static io.mallocscope.runtime.vm.Errno.EISDIR;
import static io.mallocscope.runtime.vm.Errno.ELOOP;
import static io.mallocscope.runtime.vm.Errno.EMFILE;
import static io.mallocscope.runtime.vm.Errno.ENOENT;
import static io.mallocscope.runtime.vm.Errno.ENOTDIR;
import static io.mallocscope.runtime.vm.Errno.ENXIO;
import static io.mallocscope.runtime.vm.Errno.EROFS;
import static io.mallocscope.runtime.vm.Errno.ESPIPE;

/**
 * The file half of one process's kernel: its descriptor table and the file system calls, with
 * Linux x86_64's semantics and errnos. Descriptors are numbered as Linux numbers them (the lowest
 * free one; 0, 1 and 2 are the standard streams). Calls that fail set the process's errno and
 * return -1. Buffers are addresses in the process's memory; an unmapped buffer gives EFAULT (or a
 * short count when only its start is mapped), never a signal, as with the real system calls.
 *
 * <p>The standard streams behave as pipes: stdin is at its end (a read returns 0), stdout and
 * stderr take writes and cannot seek.
 */
public final class Vfs implements MappableFiles {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;

    public static final int SEEK_SET = 0;
    public static final int SEEK_CUR = 1;
    public static final int SEEK_END = 2;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    /** RLIMIT_NOFILE's usual soft limit. */
    public static final int OPEN_MAX = 1024;
    /** The most one read or write moves, as Linux's MAX_RW_COUNT. */
    static final long MAX_RW_COUNT = 0x7ffff000L;
    /** The file-creation mask every process starts with. */
    static final int UMASK = 022;
    /** The largest file offset (ext4's and tmpfs's limit is larger than any test reaches). */
    static final long MAX_OFFSET = Long.MAX_VALUE;

    private final FileSystem fs;
    private final Kernel kernel;
    private final AddressSpace mem;
    private OpenFile[] fds = new OpenFile[16];
    private Scheduler scheduler;

    /** A fresh table with the standard streams at 0, 1 and 2. */
    public Vfs(FileSystem fs, Kernel kernel, PrintStream out, PrintStream err) {
        this.fs = fs;
        this.kernel = kernel;
        this.mem = kernel.addressSpace();
        fds[0] = new OpenFile(OpenFile.Kind.STDIN, null, "stdin", O_RDONLY, null, null);
        fds[1] = new OpenFile(OpenFile.Kind.STDOUT, null, "stdout", O_WRONLY, out, null);
        fds[2] = new OpenFile(OpenFile.Kind.STDERR, null, "stderr", O_WRONLY, err, null);
        kernel.setFiles(this);
    }

    private Vfs(Vfs parent, Kernel childKernel) {
        this.fs = parent.fs;
        this.kernel = childKernel;
        this.mem = childKernel.addressSpace();
        this.fds = parent.fds.clone();
        this.scheduler = parent.scheduler;
        for (OpenFile f : fds) {
            if (f != null) {
                f.refs++;
                if (f.pipe != null) {
                    if (f.kind == OpenFile.Kind.PIPE_READ) {
                        f.pipe.readers++;
                    } else {
                        f.pipe.writers++;
                    }
                }
            }
        }
        childKernel.setFiles(this);
    }

    /** The child's table after {@code fork}: the same open file descriptions, offsets shared. */
    public Vfs copyForFork(Kernel childKernel) {
        return new Vfs(this, childKernel);
    }

    /** The scheduler the processes of the run share: pipes block on it. */
    public void setScheduler(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    // ---------------------------------------------------------------- open, close, unlink

    /** {@code open(path, flags, mode)}: the new descriptor, or -1 with errno. */
    public int open(String path, int flags, int mode) {
        boolean excl = (flags & O_CREAT) != 0 && (flags & O_EXCL) != 0;
        FileSystem.Lookup l = fs.resolve(path, !excl && (flags & O_NOFOLLOW) == 0);
        if (l.errno() != 0) {
            return fail(l.errno());
        }
        int acc = flags & O_ACCMODE;
        boolean wantsWrite = acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC) != 0;
        if ((flags & O_CREAT) != 0 && l.trailingSlash()) {
            return fail(EISDIR);
        }
        Node node = l.node();
        String name = path;
        try {
            if (node == null) {
                if ((flags & O_CREAT) == 0) {
                    return fail(ENOENT);
                }
                if (l.parent().readOnly()) {
                    return fail(EROFS);
                }
                if (lowestFree() < 0) {
                    return fail(EMFILE);
                }
                node = l.parent().create(l.name(), mode & ~UMASK & 07777);
            } else {
                if (excl) {
                    return fail(EEXIST);
                }
                if (node instanceof LinkNode) {
                    return fail(ELOOP); // O_NOFOLLOW on a link
                }
                if (node.isDir()) {
                    if ((flags & O_CREAT) != 0 || wantsWrite) {
                        return fail(EISDIR);
                    }
                } else if (l.trailingSlash()) {
                    return fail(ENOTDIR);
                } else {
                    if ((flags & O_DIRECTORY) != 0) {
                        return fail(ENOTDIR);
                    }
                    if (wantsWrite && node.readOnly()) {
                        return fail(EROFS);
                    }
                }
                if ((flags & O_TRUNC) != 0 && node instanceof FileNode f && f.cache.size() != 0) {
                    f.cache.truncate(0);
                }
            }
        } catch (IOException e) {
            return fail(errnoOf(e));
        }
        int fd = lowestFree();
        if (fd < 0) {
            return fail(EMFILE);
        }
        OpenFile.Kind kind = node.isDir() ? OpenFile.Kind.DIR : OpenFile.Kind.FILE;
        if (node instanceof FileNode f) {
            f.path = absolute(path);
            name = f.path;
        }
        install(fd, new OpenFile(kind, node, name, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY), null, null));
        return fd;
    }

    /** {@code close(fd)}: 0, or -1 with EBADF. */
    public int close(int fd) {
        OpenFile f = file(fd);
        if (f == null) {
            return fail(EBADF);
        }
        fds[fd] = null;
        release(f);
        return 0;
    }

    /** Closes every descriptor (at exit; not the program's own {@code close} calls, so a recording leaves them out). */
    public void closeAll() {
        for (int fd = 0; fd < fds.length; fd++) {
            OpenFile f = fds[fd];
            if (f != null) {
                fds[fd] = null;
                release(f);
            }
        }
    }

    private void release(OpenFile f) {
        f.refs--;
        if (f.pipe != null) {
            if (f.kind == OpenFile.Kind.PIPE_READ) {
                if (--f.pipe.readers == 0) {
                    f.pipe.writable.wakeAll(); // blocked writers learn that nobody reads
                }
            } else if (--f.pipe.writers == 0) {
                f.pipe.readable.wakeAll(); // blocked readers see the end of the data
            }
        }
    }

    /** {@code pipe(pipefd)}: the read end and the write end as two ints at {@code pipefd}; 0, or -1 with errno. */
    public int pipe(long pipefd) {
        if (!accessOk(pipefd, 8) || !writable(pipefd, 8)) {
            return fail(EFAULT);
        }
        int r = lowestFree();
        if (r < 0) {
            return fail(EMFILE);
        }
        Pipe p = new Pipe(fs.newInode(), scheduler == null ? new Scheduler() : scheduler);
        String name = "pipe:[" + p.ino + "]";
        install(r, new OpenFile(OpenFile.Kind.PIPE_READ, null, name, O_RDONLY, null, p));
        int w = lowestFree();
        if (w < 0) {
            fds[r] = null;
            return fail(EMFILE);
        }
        install(w, new OpenFile(OpenFile.Kind.PIPE_WRITE, null, name, O_WRONLY, null, p));
        mem.write32(pipefd, r);
        mem.write32(pipefd + 4, w);
        return 0;
    }

    /** {@code unlink(path)}: 0, or -1 with errno (ENOENT, EISDIR, EROFS, ENOTDIR …). */
    public int unlink(String path) {
        FileSystem.Lookup l = fs.resolve(path, false);
        if (l.errno() != 0) {
            return fail(l.errno());
        }
        Node node = l.node();
        if (node == null) {
            return fail(ENOENT);
        }
        if (node.isDir()) {
            return fail(EISDIR);
        }
        if (l.trailingSlash()) {
            return fail(ENOTDIR);
        }
        if (node.readOnly()) {
            return fail(EROFS);
        }
        try {
            l.parent().remove(l.name(), node);
        } catch (IOException e) {
            return fail(errnoOf(e));
        }
        if (node instanceof FileNode f) {
            f.nlink = 0;
        }
        return 0;
    }

    // ---------------------------------------------------------------- read, write

    /** {@code read(fd, buf, count)}: bytes read (0 at the end), or -1 with errno. */
    public long read(int fd, long buf, long count) {
        OpenFile f = file(fd);
        if (f == null || !f.readable()) {
            return fail(EBADF);
        }
        if (!accessOk(buf, count)) {
            return fail(EFAULT);
        }
        long n = readAt(f, buf, count, f.offset);
        if (n > 0 && f.seekable()) {
            f.offset += n;
        }
        return n;
    }

    /** {@code pread(fd, buf, count, offset)}: like read at {@code offset}, leaving the file offset alone. */
    public long pread(int fd, long buf, long count, long offset) {
        if (offset < 0) {
            return fail(EINVAL);
        }
        OpenFile f = file(fd);
        if (f == null) {
            return fail(EBADF);
        }
        if (!f.seekable()) {
            return fail(ESPIPE);
        }
        if (!f.readable()) {
            return fail(EBADF);
        }
        if (!accessOk(buf, count)) {
            return fail(EFAULT);
        }
        return readAt(f, buf, count, offset);
    }

    private long readAt(OpenFile f, long buf, long count, long offset) {
        count = Math.min(count, MAX_RW_COUNT);
        switch (f.kind) {
            case DIR:
                return fail(EISDIR);
            case STDIN:
                return 0;
            case PIPE_READ:
                return pipeRead(f, buf, count);
            case FILE:
                break;
            default:
                return fail(EBADF);
        }
        FileNode node = (FileNode) f.node;
        long size = node.cache.size();
        if (offset >= size || count == 0) {
            return 0;
        }
        int n = (int) Math.min(count, size - offset);
        byte[] data = new byte[n];
        node.cache.read(offset, data, 0, n);
        long copied = copyOut(buf, data, n);
        return copied == 0 ? fail(EFAULT) : copied;
    }

    /** {@code write(fd, buf, count)}: bytes written, or -1 with errno. */
    public long write(int fd, long buf, long count) {
        OpenFile f = file(fd);
        if (f == null || !f.writable()) {
            return fail(EBADF);
        }
        if (!accessOk(buf, count)) {
            return fail(EFAULT);
        }
        long at = f.offset;
        if (f.kind == OpenFile.Kind.FILE && (f.flags & O_APPEND) != 0) {
            at = ((FileNode) f.node).cache.size();
        }
        long n = writeAt(f, buf, count, at);
        if (n > 0 && f.seekable()) {
            f.offset = at + n;
        }
        return n;
    }

    /**
     * {@code pwrite(fd, buf, count, offset)}: like write at {@code offset}, leaving the file offset
     * alone. As Linux does (and documents as a bug), a descriptor opened with O_APPEND appends
     * whatever the offset.
     */
    public long pwrite(int fd, long buf, long count, long offset) {
        if (offset < 0) {
            return fail(EINVAL);
        }
        OpenFile f = file(fd);
        if (f == null) {
            return fail(EBADF);
        }
        if (!f.seekable()) {
            return fail(ESPIPE);
        }
        if (!f.writable()) {
            return fail(EBADF);
        }
        if (!accessOk(buf, count)) {
            return fail(EFAULT);
        }
        long at = (f.flags & O_APPEND) != 0 ? ((FileNode) f.node).cache.size() : offset;
        return writeAt(f, buf, count, at);
    }

    private long writeAt(OpenFile f, long buf, long count, long offset) {
        count = Math.min(count, MAX_RW_COUNT);
        if (count == 0) {
            return 0;
        }
        byte[] data = copyIn(buf, count);
        if (data.length == 0) {
            return fail(EFAULT);
        }
        switch (f.kind) {
            case STDOUT, STDERR -> {
                f.stream.write(data, 0, data.length);
                f.stream.flush();
                return data.length;
            }
            case PIPE_WRITE -> {
                return pipeWrite(f, data);
            }
            case FILE -> {
                try {
                    ((FileNode) f.node).cache.write(offset, data, 0, data.length);
                } catch (IOException e) {
                    return fail(errnoOf(e));
                }
                return data.length;
            }
            default -> {
                return fail(EBADF);
            }
        }
    }

    // ---------------------------------------------------------------- seek, stat, truncate, sync

    /** {@code lseek(fd, offset, whence)}: the new offset, or -1 with errno. */
    public long lseek(int fd, long offset, int whence) {
        OpenFile f = file(fd);
        if (f == null) {
            return fail(EBADF);
        }
        if (whence < SEEK_SET || whence > SEEK_HOLE) {
            return fail(EINVAL);
        }
        if (!f.seekable()) {
            return fail(ESPIPE);
        }
        long size = f.node instanceof FileNode n ? n.cache.size() : 0;
        long target;
        switch (whence) {
            case SEEK_SET -> target = offset;
            case SEEK_CUR -> {
                if (offset == 0) {
                    return f.offset;
                }
                target = f.offset + offset;
            }
            case SEEK_END -> {
                if (f.kind == OpenFile.Kind.DIR) {
                    return fail(EINVAL);
                }
                target = size + offset;
            }
            case SEEK_DATA -> {
                if (f.kind == OpenFile.Kind.DIR || offset < 0) {
                    return fail(f.kind == OpenFile.Kind.DIR ? EINVAL : ENXIO);
                }
                if (offset >= size) {
                    return fail(ENXIO);
                }
                target = offset;
            }
            default -> { // SEEK_HOLE
                if (f.kind == OpenFile.Kind.DIR || offset < 0) {
                    return fail(f.kind == OpenFile.Kind.DIR ? EINVAL : ENXIO);
                }
                if (offset >= size) {
                    return fail(ENXIO);
                }
                target = size;
            }
        }
        if (target < 0) {
            return fail(EINVAL);
        }
        f.offset = target;
        return target;
    }

    /** {@code fstat(fd, statbuf)}: fills the {@link Stat} at {@code statbuf}; 0, or -1 with errno. */
    public int fstat(int fd, long statbuf) {
        OpenFile f = file(fd);
        if (f == null) {
            return fail(EBADF);
        }
        return putStat(statbuf, f.node, f);
    }

    /** {@code stat(path, statbuf)}: like fstat, by path (following symbolic links). */
    public int stat(String path, long statbuf) {
        FileSystem.Lookup l = fs.resolve(path, true);
        if (l.errno() != 0) {
            return fail(l.errno());
        }
        if (l.node() == null) {
            return fail(ENOENT);
        }
        if (l.trailingSlash() && !l.node().isDir()) {
            return fail(ENOTDIR);
        }
        return putStat(statbuf, l.node(), null);
    }

    private int putStat(long buf, Node node, OpenFile f) {
        if (!writable(buf, Stat.SIZE)) {
            return fail(EFAULT);
        }
        byte[] st = new byte[Stat.SIZE];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(st).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (node == null) { // a standard stream or a pipe
            long ino = f.pipe != null ? f.pipe.ino : 3 + f.kind.ordinal();
            b.putLong(Stat.ST_DEV, 0xd).putLong(Stat.ST_INO, ino).putLong(Stat.ST_NLINK, 1)
                    .putInt(Stat.ST_MODE, Stat.S_IFIFO | 0600).putLong(Stat.ST_BLKSIZE, 4096);
        } else {
            long size = node instanceof FileNode fn ? fn.cache.size() : 4096;
            long nlink = node instanceof FileNode fn ? fn.nlink : 2;
            b.putLong(Stat.ST_DEV, node.minor).putLong(Stat.ST_INO, node.ino).putLong(Stat.ST_NLINK, nlink)
                    .putInt(Stat.ST_MODE, node.mode).putLong(Stat.ST_SIZE, size).putLong(Stat.ST_BLKSIZE, 4096)
                    .putLong(Stat.ST_BLOCKS, (size + 4095) / 4096 * 8);
        }
        mem.writeBytes(buf, st, 0, st.length);
        return 0;
    }

    /** {@code ftruncate(fd, length)}: 0, or -1 with errno (EINVAL for a descriptor not open for writing). */
    public int ftruncate(int fd, long length) {
        if (length < 0) {
            return fail(EINVAL);
        }
        OpenFile f = file(fd);
        if (f == null) {
            return fail(EBADF);
        }
        if (f.kind != OpenFile.Kind.FILE || !f.writable()) {
            return fail(EINVAL);
        }
        try {
            ((FileNode) f.node).cache.truncate(length);
        } catch (IOException e) {
            return fail(errnoOf(e));
        }
        return 0;
    }

    /**
     * {@code fsync(fd)}: writes the file's dirty pages (those changed through shared mappings) back;
     * 0, or -1 with EBADF, EINVAL (a pipe or stream) or EIO (the host refused; also on stderr).
     */
    public int fsync(int fd) {
        OpenFile f = file(fd);
        if (f == null) {
            return fail(EBADF);
        }
        if (!f.seekable()) {
            return fail(EINVAL);
        }
        if (!(f.node instanceof FileNode node)) {
            return 0;
        }
        List<Long> dirty = node.cache.dirtyPages(0, Long.MAX_VALUE);
        if (dirty.isEmpty()) {
            return 0;
        }
        try {
            node.cache.writeBack(0, Long.MAX_VALUE);
        } catch (IOException e) {
            kernel.writeBackFailed(f.path, dirty.size(), "fsync", e);
            return fail(EIO);
        }
        long first = -1;
        for (Region r : mem.mappingsOf(node.cache)) {
            long page = r.offset() >>> AddressSpace.PAGE_SHIFT;
            long pages = r.size() >>> AddressSpace.PAGE_SHIFT;
            if (dirty.get(0) >= page && dirty.get(0) < page + pages) {
                first = r.start() + ((dirty.get(0) - page) << AddressSpace.PAGE_SHIFT);
                break;
            }
        }
        kernel.writtenBack(f.path, first, dirty.size(), "fsync");
        return 0;
    }

    // ---------------------------------------------------------------- pipes (see also the process module)

    /** Reads what the pipe holds, blocking while it is empty and a write end is open anywhere. */
    private long pipeRead(OpenFile f, long buf, long count) {
        Pipe p = f.pipe;
        if (count == 0) {
            return 0;
        }
        while (p.available() == 0) {
            if (p.writers == 0) {
                return 0;
            }
            p.readable.await();
        }
        int n = (int) Math.min(Math.min(count, p.available()), prefix(buf, count, true));
        if (n == 0) {
            return fail(EFAULT);
        }
        byte[] data = p.take(n);
        copyOut(buf, data, n);
        p.writable.wakeAll();
        return n;
    }

    /**
     * Writes all of {@code data}, blocking while the pipe is full; at most {@link Pipe#PIPE_BUF}
     * bytes go in at once, never split. With no read end open the process gets SIGPIPE.
     */
    private long pipeWrite(OpenFile f, byte[] data) {
        Pipe p = f.pipe;
        int done = 0;
        while (done < data.length) {
            if (p.readers == 0) {
                if (done > 0) {
                    return done;
                }
                throw new BrokenPipe(f.path);
            }
            int left = data.length - done;
            int need = data.length <= Pipe.PIPE_BUF ? left : 1;
            if (p.room() >= need) {
                int k = Math.min(left, p.room());
                p.put(data, done, k);
                done += k;
                p.readable.wakeAll();
                continue;
            }
            p.writable.await();
        }
        return done;
    }

    // ---------------------------------------------------------------- mmap

    @Override
    public MappableFiles.Target forMmap(int fd) {
        OpenFile f = file(fd);
        if (f == null) {
            return null;
        }
        if (f.kind == OpenFile.Kind.FILE) {
            return new MappableFiles.Target(((FileNode) f.node).cache, f.path, f.readable(), f.writable());
        }
        return new MappableFiles.Target(null, f.path, f.readable(), f.writable());
    }

    // ---------------------------------------------------------------- helpers

    /** The open file at {@code fd}, or null. */
    private OpenFile file(int fd) {
        return fd >= 0 && fd < fds.length ? fds[fd] : null;
    }

    private int lowestFree() {
        for (int fd = 0; fd < OPEN_MAX; fd++) {
            if (fd >= fds.length || fds[fd] == null) {
                return fd;
            }
        }
        return -1;
    }

    private void install(int fd, OpenFile f) {
        if (fd >= fds.length) {
            fds = Arrays.copyOf(fds, Math.max(fds.length * 2, fd + 1));
        }
        fds[fd] = f;
    }

    /** The descriptors in use, lowest first. */
    public int[] openDescriptors() {
        return java.util.stream.IntStream.range(0, fds.length).filter(i -> fds[i] != null).toArray();
    }

    /** The path a descriptor was opened by ("stdout", "pipe:[N]" …), or null when it is not open. */
    public String pathOf(int fd) {
        OpenFile f = file(fd);
        return f == null ? null : f.path;
    }

    private static String absolute(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        return p.replaceAll("/+", "/");
    }

    /** access_ok: the buffer lies in user space (whatever is mapped there). */
    private static boolean accessOk(long buf, long count) {
        return Long.compareUnsigned(count, AddressSpace.USER_END) <= 0
                && Long.compareUnsigned(buf, AddressSpace.USER_END - count) <= 0;
    }

    private boolean writable(long buf, long len) {
        return prefix(buf, len, true) == len;
    }

    /** How many bytes from {@code a} on may be accessed, up to {@code len}. */
    private long prefix(long a, long len, boolean write) {
        long done = 0;
        while (done < len) {
            Region r = mem.regionAt(a + done);
            if (r == null || (write ? !r.writable() : r.prot() == AddressSpace.PROT_NONE)) {
                break;
            }
            done = Math.min(len, r.end() - a);
        }
        return done;
    }

    /** Copies {@code n} bytes to the program's buffer, stopping where it may not be written (or a page faults). */
    private long copyOut(long buf, byte[] data, int n) {
        long ok = prefix(buf, n, true);
        int done = 0;
        while (done < ok) {
            int k = (int) Math.min(ok - done, AddressSpace.PAGE_SIZE - ((buf + done) & (AddressSpace.PAGE_SIZE - 1)));
            try {
                mem.writeBytes(buf + done, data, done, k);
            } catch (SimulatedSignal s) {
                break; // a page of a file mapping past the end of its file: the kernel's copy stops there
            }
            done += k;
        }
        return done;
    }

    private byte[] copyIn(long buf, long count) {
        long ok = prefix(buf, count, false);
        byte[] data = new byte[(int) ok];
        int done = 0;
        while (done < ok) {
            int k = (int) Math.min(ok - done, AddressSpace.PAGE_SIZE - ((buf + done) & (AddressSpace.PAGE_SIZE - 1)));
            try {
                mem.readBytes(buf + done, data, done, k);
            } catch (SimulatedSignal s) {
                break;
            }
            done += k;
        }
        return done == data.length ? data : Arrays.copyOf(data, done);
    }

    private int fail(int errno) {
        kernel.setErrno(errno);
        return -1;
    }

    /** The errno a failed host operation gives. */
    static int errnoOf(IOException e) {
        return io.mallocscope.runtime.vm.Errno.of(e);
    }
}
