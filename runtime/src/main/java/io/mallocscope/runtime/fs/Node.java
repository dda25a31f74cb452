package io.mallocscope.runtime.fs;

/** An inode of the simulated file system: a directory, a regular file or (on a mount) a symbolic link. */
abstract class Node {
    /** The device number, as {@code makedev(0, minor)}: one per file system (the in-memory tree, each mount). */
    final int minor;
    final long ino;
    /** The mount this node lies on, or null for the in-memory tree. */
    final FileSystem.Mount mount;
    int mode;

    Node(int minor, long ino, FileSystem.Mount mount, int mode) {
        this.minor = minor;
        this.ino = ino;
        this.mount = mount;
        this.mode = mode;
    }

    boolean isDir() {
        return false;
    }

    boolean readOnly() {
        return mount != null && mount.readOnly();
    }

    String device() {
        return String.format("00:%02x", minor);
    }
}
