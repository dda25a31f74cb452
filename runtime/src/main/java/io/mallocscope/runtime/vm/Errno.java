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

    /**
     * glibc 2.36's message for each errno 0..133 (Linux x86_64's numbers); null where glibc knows no
     * such number (41, 58), which strerror formats as "Unknown error N". Generated on Debian 12 by a C
     * program printing strerror(i) for each i on the real glibc 2.36, and checked against it by the
     * C front end's corpus/strerror_all.c.
     */
    private static final String[] MESSAGES = {
        /*   0 */ "Success",
        /*   1 */ "Operation not permitted",
        /*   2 */ "No such file or directory",
        /*   3 */ "No such process",
        /*   4 */ "Interrupted system call",
        /*   5 */ "Input/output error",
        /*   6 */ "No such device or address",
        /*   7 */ "Argument list too long",
        /*   8 */ "Exec format error",
        /*   9 */ "Bad file descriptor",
        /*  10 */ "No child processes",
        /*  11 */ "Resource temporarily unavailable",
        /*  12 */ "Cannot allocate memory",
        /*  13 */ "Permission denied",
        /*  14 */ "Bad address",
        /*  15 */ "Block device required",
        /*  16 */ "Device or resource busy",
        /*  17 */ "File exists",
        /*  18 */ "Invalid cross-device link",
        /*  19 */ "No such device",
        /*  20 */ "Not a directory",
        /*  21 */ "Is a directory",
        /*  22 */ "Invalid argument",
        /*  23 */ "Too many open files in system",
        /*  24 */ "Too many open files",
        /*  25 */ "Inappropriate ioctl for device",
        /*  26 */ "Text file busy",
        /*  27 */ "File too large",
        /*  28 */ "No space left on device",
        /*  29 */ "Illegal seek",
        /*  30 */ "Read-only file system",
        /*  31 */ "Too many links",
        /*  32 */ "Broken pipe",
        /*  33 */ "Numerical argument out of domain",
        /*  34 */ "Numerical result out of range",
        /*  35 */ "Resource deadlock avoided",
        /*  36 */ "File name too long",
        /*  37 */ "No locks available",
        /*  38 */ "Function not implemented",
        /*  39 */ "Directory not empty",
        /*  40 */ "Too many levels of symbolic links",
        /*  41 */ null,
        /*  42 */ "No message of desired type",
        /*  43 */ "Identifier removed",
        /*  44 */ "Channel number out of range",
        /*  45 */ "Level 2 not synchronized",
        /*  46 */ "Level 3 halted",
        /*  47 */ "Level 3 reset",
        /*  48 */ "Link number out of range",
        /*  49 */ "Protocol driver not attached",
        /*  50 */ "No CSI structure available",
        /*  51 */ "Level 2 halted",
        /*  52 */ "Invalid exchange",
        /*  53 */ "Invalid request descriptor",
        /*  54 */ "Exchange full",
        /*  55 */ "No anode",
        /*  56 */ "Invalid request code",
        /*  57 */ "Invalid slot",
        /*  58 */ null,
        /*  59 */ "Bad font file format",
        /*  60 */ "Device not a stream",
        /*  61 */ "No data available",
        /*  62 */ "Timer expired",
        /*  63 */ "Out of streams resources",
        /*  64 */ "Machine is not on the network",
        /*  65 */ "Package not installed",
        /*  66 */ "Object is remote",
        /*  67 */ "Link has been severed",
        /*  68 */ "Advertise error",
        /*  69 */ "Srmount error",
        /*  70 */ "Communication error on send",
        /*  71 */ "Protocol error",
        /*  72 */ "Multihop attempted",
        /*  73 */ "RFS specific error",
        /*  74 */ "Bad message",
        /*  75 */ "Value too large for defined data type",
        /*  76 */ "Name not unique on network",
        /*  77 */ "File descriptor in bad state",
        /*  78 */ "Remote address changed",
        /*  79 */ "Can not access a needed shared library",
        /*  80 */ "Accessing a corrupted shared library",
        /*  81 */ ".lib section in a.out corrupted",
        /*  82 */ "Attempting to link in too many shared libraries",
        /*  83 */ "Cannot exec a shared library directly",
        /*  84 */ "Invalid or incomplete multibyte or wide character",
        /*  85 */ "Interrupted system call should be restarted",
        /*  86 */ "Streams pipe error",
        /*  87 */ "Too many users",
        /*  88 */ "Socket operation on non-socket",
        /*  89 */ "Destination address required",
        /*  90 */ "Message too long",
        /*  91 */ "Protocol wrong type for socket",
        /*  92 */ "Protocol not available",
        /*  93 */ "Protocol not supported",
        /*  94 */ "Socket type not supported",
        /*  95 */ "Operation not supported",
        /*  96 */ "Protocol family not supported",
        /*  97 */ "Address family not supported by protocol",
        /*  98 */ "Address already in use",
        /*  99 */ "Cannot assign requested address",
        /* 100 */ "Network is down",
        /* 101 */ "Network is unreachable",
        /* 102 */ "Network dropped connection on reset",
        /* 103 */ "Software caused connection abort",
        /* 104 */ "Connection reset by peer",
        /* 105 */ "No buffer space available",
        /* 106 */ "Transport endpoint is already connected",
        /* 107 */ "Transport endpoint is not connected",
        /* 108 */ "Cannot send after transport endpoint shutdown",
        /* 109 */ "Too many references: cannot splice",
        /* 110 */ "Connection timed out",
        /* 111 */ "Connection refused",
        /* 112 */ "Host is down",
        /* 113 */ "No route to host",
        /* 114 */ "Operation already in progress",
        /* 115 */ "Operation now in progress",
        /* 116 */ "Stale file handle",
        /* 117 */ "Structure needs cleaning",
        /* 118 */ "Not a XENIX named type file",
        /* 119 */ "No XENIX semaphores available",
        /* 120 */ "Is a named type file",
        /* 121 */ "Remote I/O error",
        /* 122 */ "Disk quota exceeded",
        /* 123 */ "No medium found",
        /* 124 */ "Wrong medium type",
        /* 125 */ "Operation canceled",
        /* 126 */ "Required key not available",
        /* 127 */ "Key has expired",
        /* 128 */ "Key has been revoked",
        /* 129 */ "Key was rejected by service",
        /* 130 */ "Owner died",
        /* 131 */ "State not recoverable",
        /* 132 */ "Operation not possible due to RF-kill",
        /* 133 */ "Memory page has hardware error",
    };

    /** glibc's {@code strerror(errnum)}. */
    public static String message(int errnum) {
        String m = known(errnum) ? MESSAGES[errnum] : null;
        return m != null ? m : "Unknown error " + errnum;
    }

    /** Whether glibc 2.36 has a message of its own for {@code errnum} (else "Unknown error N"). */
    public static boolean known(int errnum) {
        return errnum >= 0 && errnum < MESSAGES.length && MESSAGES[errnum] != null;
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
