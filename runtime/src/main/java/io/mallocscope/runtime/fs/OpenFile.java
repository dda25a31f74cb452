package io.mallocscope.runtime.fs;

import java.io.PrintStream;

/**
 * An open file description (the kernel's {@code struct file}): what was opened, how, and the
 * offset. Descriptors made by {@code fork} (and {@code dup}) share one, and so share the offset.
 */
final class OpenFile {
    enum Kind { FILE, DIR, STDIN, STDOUT, STDERR, PIPE_READ, PIPE_WRITE }

    final Kind kind;
    final Node node;
    final String path;
    final int flags;
    final PrintStream stream;
    final Pipe pipe;
    long offset;
    /** Descriptors referring to this description, in every process. */
    int refs = 1;

    OpenFile(Kind kind, Node node, String path, int flags, PrintStream stream, Pipe pipe) {
        this.kind = kind;
        this.node = node;
        this.path = path;
        this.flags = flags;
        this.stream = stream;
        this.pipe = pipe;
    }

    boolean readable() {
        int acc = flags & Vfs.O_ACCMODE;
        return acc == Vfs.O_RDONLY || acc == Vfs.O_RDWR;
    }

    boolean writable() {
        int acc = flags & Vfs.O_ACCMODE;
        return acc == Vfs.O_WRONLY || acc == Vfs.O_RDWR;
    }

    /** Pipes and the standard streams (a pipe or a terminal) cannot seek. */
    boolean seekable() {
        return kind == Kind.FILE || kind == Kind.DIR;
    }
}
