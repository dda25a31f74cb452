package io.mallocscope.runtime.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * A directory: in memory (its entries in a map) or a directory of a mounted host tree (its entries
 * are the host's, looked up by name; a host symlink is returned as a {@link LinkNode}, never
 * followed on the host).
 */
final class DirNode extends Node {
    private final FileSystem fs;
    /** The host directory, or null for an in-memory one. */
    final Path host;
    private final TreeMap<String, Node> entries = new TreeMap<>();

    DirNode(FileSystem fs, int minor, long ino, FileSystem.Mount mount, int mode, Path host) {
        super(minor, ino, mount, mode);
        this.fs = fs;
        this.host = host;
    }

    @Override
    boolean isDir() {
        return true;
    }

    /** The entry {@code name}, or null when there is none. */
    Node lookup(String name) throws IOException {
        Node n = entries.get(name); // in memory, or a mount point on an in-memory directory
        if (n != null || host == null) {
            return n;
        }
        Path p = host.resolve(name);
        if (Files.isSymbolicLink(p)) {
            return new LinkNode(minor, mount, Files.readSymbolicLink(p).toString());
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return fs.hostNode(p, mount, minor);
    }

    /** Creates the regular file {@code name} (which does not exist) with permission bits {@code perm}. */
    FileNode create(String name, int perm) throws IOException {
        if (host == null) {
            FileNode f = new FileNode(minor, fs.nextIno(), null, Stat.S_IFREG | perm, null, 0);
            entries.put(name, f);
            return f;
        }
        Path p = host.resolve(name);
        Files.createFile(p);
        try {
            Files.setPosixFilePermissions(p, Stat.permissions(perm));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the host's default permissions stay
        }
        return (FileNode) fs.hostNode(p, mount, minor);
    }

    /** Removes the entry {@code name}, a regular file or a link. */
    void remove(String name, Node node) throws IOException {
        if (host == null) {
            entries.remove(name);
            return;
        }
        Path p = host.resolve(name);
        if (node instanceof FileNode f) {
            f.detachFromHost(); // open descriptors and mappings keep the contents, as an unlinked inode does
        }
        Files.delete(p);
        fs.forgetHost(p);
    }

    /** An in-memory subdirectory or mount point, put in place when the file system is set up. */
    void attach(String name, Node node) {
        entries.put(name, node);
    }

    Node attached(String name) {
        return entries.get(name);
    }
}
