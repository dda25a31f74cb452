package io.mallocscope.runtime.vm;

/**
 * The errno values the simulated kernel sets, with Linux x86_64's numbers, and the message glibc's
 * {@code strerror} gives each.
 */
public final class Errno {
    private Errno() {
    }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int EPIPE = 32;
    public static final int EDEADLK = 35;
    public static final int ENAMETOOLONG = 36;
    public static final int ELOOP = 40;
    public static final int EOVERFLOW = 75;

    /** glibc's {@code strerror(errnum)}. */
    public static String message(int errnum) {
        return switch (errnum) {
            case 0 -> "Success";
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case ESRCH -> "No such process";
            case EINTR -> "Interrupted system call";
            case EIO -> "Input/output error";
            case ENXIO -> "No such device or address";
            case EBADF -> "Bad file descriptor";
            case ECHILD -> "No child processes";
            case EAGAIN -> "Resource temporarily unavailable";
            case ENOMEM -> "Cannot allocate memory";
            case EACCES -> "Permission denied";
            case EFAULT -> "Bad address";
            case EBUSY -> "Device or resource busy";
            case EEXIST -> "File exists";
            case ENODEV -> "No such device";
            case ENOTDIR -> "Not a directory";
            case EISDIR -> "Is a directory";
            case EINVAL -> "Invalid argument";
            case EMFILE -> "Too many open files";
            case EFBIG -> "File too large";
            case ENOSPC -> "No space left on device";
            case ESPIPE -> "Illegal seek";
            case EROFS -> "Read-only file system";
            case EPIPE -> "Broken pipe";
            case EDEADLK -> "Resource deadlock avoided";
            case ENAMETOOLONG -> "File name too long";
            case ELOOP -> "Too many levels of symbolic links";
            case EOVERFLOW -> "Value too large for defined data type";
            default -> "Unknown error " + errnum;
        };
    }

    /** The errno a failed host file operation stands for (EIO when the host gives no better reason). */
    public static int of(java.io.IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return ENOENT;
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return EEXIST;
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return EACCES;
        }
        if (m.contains("No space left")) {
            return ENOSPC;
        }
        if (m.contains("Read-only file system")) {
            return EROFS;
        }
        if (m.contains("Is a directory")) {
            return EISDIR;
        }
        if (m.contains("File too large")) {
            return EFBIG;
        }
        return EIO;
    }

    /** The symbolic name ({@code "ENOENT"}), or the number for one not listed here. */
    public static String name(int errnum) {
        for (var f : Errno.class.getFields()) {
            try {
                if (f.getType() == int.class && f.getInt(null) == errnum) {
                    return f.getName();
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return Integer.toString(errnum);
    }
}
