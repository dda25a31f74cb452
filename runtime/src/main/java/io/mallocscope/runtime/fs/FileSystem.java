package io.mallocscope.runtime.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static io.mallocscope.runtime.vm.Errno.ELOOP;
import static io.mallocscope.runtime.vm.Errno.ENAMETOOLONG;
import static io.mallocscope.runtime.vm.Errno.ENOENT;
import static io.mallocscope.runtime.vm.Errno.ENOTDIR;

/**
 * The simulated process's file system, shared by every process of a run: an in-memory tree
 * ({@code /} and {@code /tmp}) with host directories mounted into it. Paths are resolved here, one
 * component at a time, never by the host: {@code ..} at a mount's root goes to the directory the
 * mount sits in, and a symbolic link found on a mount is followed inside the simulated tree, so
 * neither can reach a host file outside the mounted directories.
 */
public final class FileSystem {
    /** The longest name of one path component, as {@code NAME_MAX}. */
    static final int NAME_MAX = 255;
    /** The longest path, as {@code PATH_MAX} (with its NUL). */
    static final int PATH_MAX = 4096;
    /** Symbolic links followed in one lookup before ELOOP, as Linux's {@code MAXSYMLINKS}. */
    static final int MAX_SYMLINKS = 40;
    /** The in-memory tree's device minor (a tmpfs-like {@code 00:1b}); mounts follow it. */
    private static final int MEMORY_MINOR = 0x1b;

    /** A host directory mounted at {@code at} (an absolute simulated path), read-only or not. */
    public record Mount(Path hostDir, String at, boolean readOnly) {
        public Mount {
            Objects.requireNonNull(hostDir, "hostDir");
            Objects.requireNonNull(at, "at");
            if (!at.startsWith("/") || at.equals("/") || at.contains("//") || at.endsWith("/")) {
                throw new IllegalArgumentException("mount point '" + at + "' must be an absolute path below / (like /data)");
            }
            for (String c : at.substring(1).split("/")) {
                if (c.equals(".") || c.equals("..")) {
                    throw new IllegalArgumentException("mount point '" + at + "' must not contain . or ..");
                }
            }
        }

        /**
         * Parses {@code HOSTDIR:/PATH} or {@code HOSTDIR:/PATH:ro} (the form of {@code --mount}).
         *
         * @throws IllegalArgumentException with a one-line message for a malformed spec
         */
        public static Mount parse(String spec) {
            boolean ro = false;
            String s = spec;
            if (s.endsWith(":ro")) {
                ro = true;
                s = s.substring(0, s.length() - 3);
            } else if (s.endsWith(":rw")) {
                s = s.substring(0, s.length() - 3);
            }
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new IllegalArgumentException("mount '" + spec + "' is not HOSTDIR:/PATH[:ro]");
            }
            return new Mount(Path.of(s.substring(0, colon)), s.substring(colon + 1), ro);
        }

        @Override
        public String toString() {
            return hostDir + ":" + at + (readOnly ? ":ro" : "");
        }
    }

    private final DirNode root;
    private final List<Mount> mounts;
    private final Map<String, Node> hostNodes = new HashMap<>();
    private long nextIno = 2;

    /** Just the in-memory tree. */
    public FileSystem() {
        this(List.of());
    }

    /**
     * The in-memory tree with {@code mounts}.
     *
     * @throws IllegalArgumentException when a host directory does not exist or is not a directory,
     *     or a mount point lies inside another mount or repeats one
     */
    public FileSystem(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
        root = new DirNode(this, MEMORY_MINOR, nextIno(), null, Stat.S_IFDIR | 0755, null);
        root.attach("tmp", new DirNode(this, MEMORY_MINOR, nextIno(), null, Stat.S_IFDIR | 01777, null));
        int minor = MEMORY_MINOR + 1;
        List<String> points = new ArrayList<>();
        for (Mount m : this.mounts) {
            if (!Files.isDirectory(m.hostDir())) {
                throw new IllegalArgumentException("cannot mount " + m.hostDir() + ": not a directory");
            }
            for (String p : points) {
                if (m.at().equals(p) || m.at().startsWith(p + "/") || p.startsWith(m.at() + "/")) {
                    throw new IllegalArgumentException("mount point " + m.at() + " overlaps the mount at " + p);
                }
            }
            points.add(m.at());
            Path host;
            try {
                host = m.hostDir().toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot mount " + m.hostDir() + ": " + e.getMessage());
            }
            String[] parts = m.at().substring(1).split("/");
            DirNode dir = root;
            for (int i = 0; i < parts.length - 1; i++) {
                Node next = dir.attached(parts[i]);
                if (next == null) {
                    next = new DirNode(this, MEMORY_MINOR, nextIno(), null, Stat.S_IFDIR | 0755, null);
                    dir.attach(parts[i], next);
                }
                dir = (DirNode) next;
            }
            dir.attach(parts[parts.length - 1], new DirNode(this, minor, nextIno(), m, Stat.S_IFDIR | hostMode(host), host));
            minor++;
        }
    }

    public List<Mount> mounts() {
        return mounts;
    }

    long nextIno() {
        return nextIno++;
    }

    /** A fresh inode number (for shared memory, which has no name in the tree). */
    public long newInode() {
        return nextIno();
    }

    /** The node for a host file or directory, the same one every time until it is removed. */
    Node hostNode(Path p, Mount mount, int minor) throws IOException {
        String key = p.toString();
        Node n = hostNodes.get(key);
        if (n == null) {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int perm = Stat.mode(a.permissions());
            if (a.isDirectory()) {
                n = new DirNode(this, minor, nextIno(), mount, Stat.S_IFDIR | perm, p);
            } else if (a.isRegularFile()) {
                n = new FileNode(minor, nextIno(), mount, Stat.S_IFREG | perm, p, a.size());
            } else {
                return null; // devices, fifos and sockets of the host are not brought in
            }
            hostNodes.put(key, n);
        }
        return n;
    }

    void forgetHost(Path p) {
        hostNodes.remove(p.toString());
    }

    private static int hostMode(Path dir) {
        try {
            return Stat.mode(Files.getPosixFilePermissions(dir));
        } catch (IOException | UnsupportedOperationException e) {
            return 0755;
        }
    }

    /**
     * Where a path leads: {@code errno} when the lookup failed on the way; otherwise the directory
     * holding the last component, its name, and the node it names (null when it does not exist).
     */
    record Lookup(int errno, DirNode parent, String name, Node node, boolean trailingSlash) {
        static Lookup failed(int errno) {
            return new Lookup(errno, null, null, null, false);
        }
    }

    /**
     * Resolves {@code path} (relative paths start at {@code /}, the only working directory). With
     * {@code followLast} a symbolic link in the last component is followed; without it the link
     * itself is the result.
     */
    Lookup resolve(String path, boolean followLast) {
        try {
            return walk(path, followLast);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Lookup walk(String path, boolean followLast) throws IOException {
        if (path.isEmpty()) {
            return Lookup.failed(ENOENT);
        }
        if (path.length() >= PATH_MAX) {
            return Lookup.failed(ENAMETOOLONG);
        }
        Deque<String> todo = new ArrayDeque<>(components(path));
        boolean trailingSlash = path.endsWith("/") && !todo.isEmpty();
        Deque<DirNode> stack = new ArrayDeque<>();
        stack.addLast(root);
        int links = 0;
        String lastName = ".";
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            DirNode dir = stack.peekLast();
            boolean last = todo.isEmpty();
            if (name.equals(".") || name.equals("..")) {
                if (name.equals("..") && stack.size() > 1) {
                    stack.removeLast();
                }
                lastName = name;
                continue;
            }
            if (name.length() > NAME_MAX) {
                return Lookup.failed(ENAMETOOLONG);
            }
            Node n = dir.lookup(name);
            if (n == null) {
                if (!last) {
                    return Lookup.failed(ENOENT);
                }
                return new Lookup(0, dir, name, null, trailingSlash);
            }
            if (n instanceof LinkNode link && (!last || followLast || trailingSlash)) {
                if (++links > MAX_SYMLINKS) {
                    return Lookup.failed(ELOOP);
                }
                if (link.target.isEmpty()) {
                    return Lookup.failed(ENOENT);
                }
                List<String> target = components(link.target);
                for (int i = target.size() - 1; i >= 0; i--) {
                    todo.addFirst(target.get(i));
                }
                if (link.target.startsWith("/")) {
                    while (stack.size() > 1) {
                        stack.removeLast();
                    }
                }
                if (todo.isEmpty()) { // a link to "/"
                    lastName = ".";
                }
                continue;
            }
            if (!last) {
                if (!n.isDir()) {
                    return Lookup.failed(ENOTDIR);
                }
                stack.addLast((DirNode) n);
                continue;
            }
            return new Lookup(0, dir, name, n, trailingSlash); // a trailing slash on a file: the caller's ENOTDIR
        }
        // the path ended in ".", ".." or "/" (or a link to a directory that did)
        DirNode here = stack.peekLast();
        stack.removeLast();
        DirNode parent = stack.isEmpty() ? here : stack.peekLast();
        return new Lookup(0, parent, lastName, here, trailingSlash);
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }
}
