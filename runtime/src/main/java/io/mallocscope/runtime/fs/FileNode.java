package io.mallocscope.runtime.fs;

import io.mallocscope.runtime.vm.PageCache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A regular file: its page cache, and for a file of a mounted directory the host file behind it. */
final class FileNode extends Node {
    final PageCache cache;
    /** The path the file was opened by last (what a mapping of it is named after). */
    String path;
    int nlink = 1;

    FileNode(int minor, long ino, FileSystem.Mount mount, int mode, Path host, long size) {
        super(minor, ino, mount, mode);
        this.cache = new PageCache(String.format("00:%02x", minor), ino, size, host == null ? null : new HostStore(host));
    }

    /** The host file is about to be removed: keep its bytes in memory. */
    void detachFromHost() {
        cache.detach();
        nlink = 0;
    }

    /** Reads and writes a host file by position, never following a symlink at its name. */
    private record HostStore(Path file) implements PageCache.Store {
        @Override
        public void load(long offset, byte[] dst, int len) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer b = ByteBuffer.wrap(dst, 0, len);
                while (b.hasRemaining()) {
                    if (ch.read(b, offset + b.position()) < 0) {
                        break;
                    }
                }
            }
        }

        @Override
        public void store(long offset, byte[] src, int srcOff, int len) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer b = ByteBuffer.wrap(src, srcOff, len);
                while (b.hasRemaining()) {
                    ch.write(b, offset + (b.position() - srcOff));
                }
            }
        }

        @Override
        public void setLength(long length) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                if (length < ch.size()) {
                    ch.truncate(length);
                } else if (length > ch.size()) {
                    ch.write(ByteBuffer.wrap(new byte[1]), length - 1); // a hole up to the new end
                }
            }
        }
    }
}
