package io.mallocscope.cli.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** What a path names, in words for messages: "a directory", "a FIFO (named pipe)", "a character device" … */
public final class FileKinds {
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFSOCK = 0140000;

    private FileKinds() {
    }

    /** A link that leads back to itself, directly or through others (ELOOP). */
    static final String LOOP = "a symbolic link loop (too many levels of symbolic links)";

    /** ELOOP: said in the kernel's words, not as the "permission denied" an unreadable file gets. */
    private static boolean isLoop(IOException e) {
        return e instanceof java.nio.file.FileSystemException f && f.getReason() != null
                && f.getReason().startsWith("Too many levels of symbolic links");
    }

    /**
     * What {@code p} is when it is not a regular file (following symbolic links), or null for a regular
     * file. A missing file is "missing"; a link says what it points to ("a symbolic link to a directory").
     */
    public static String notRegular(Path p) {
        BasicFileAttributes own;
        try {
            own = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return isLoop(e) ? LOOP : null; // else cannot tell: the open that follows will say why
        }
        if (own.isSymbolicLink()) {
            String target = kind(p, true);
            return target == null ? null : target.equals(LOOP) ? LOOP
                    : "a symbolic link to " + (target.equals("missing") ? "a missing file" : target);
        }
        return kind(p, false);
    }

    /** The kind of {@code p} (following links if {@code follow}), or null for a regular file. */
    private static String kind(Path p, boolean follow) {
        LinkOption[] opts = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, opts);
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return isLoop(e) ? LOOP : null;
        }
        if (a.isRegularFile()) {
            return null;
        }
        if (a.isDirectory()) {
            return "a directory";
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(p, "unix:mode", opts);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "not a regular file";
        }
        return switch (mode & S_IFMT) {
            case S_IFIFO -> isProcessSubstitution(p) ? "a pipe (like <(…) gives)" : "a FIFO (named pipe)";
            case S_IFCHR -> "a character device";
            case S_IFBLK -> "a block device";
            case S_IFSOCK -> "a socket";
            default -> "not a regular file";
        };
    }

    /** /dev/fd/N and /proc/self/fd/N name an open pipe, which is what bash's {@code <(…)} passes. */
    static boolean isProcessSubstitution(Path p) {
        String s = p.toString();
        return s.startsWith("/dev/fd/") || s.startsWith("/proc/self/fd/");
    }
}
