/*
 * Runs a script of file system calls, one per line on stdin, against the real kernel and prints
 * what each returned: the C side of FileCallsMatchLinuxTest (FileScript.java is the Java side).
 *
 *   fileops ROOT < script
 *
 * Paths in the script are relative to ROOT ("@" stands for the empty path). Flags are written
 * symbolically (O_RDWR|O_CREAT). Data is one token; "-" is the empty string. Each line prints
 * "N op = RET", then " ERRNO" when RET is -1, then what was read, escaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct { const char *name; long value; } names[] = {
    {"O_RDONLY", O_RDONLY}, {"O_WRONLY", O_WRONLY}, {"O_RDWR", O_RDWR}, {"O_CREAT", O_CREAT},
    {"O_EXCL", O_EXCL}, {"O_TRUNC", O_TRUNC}, {"O_APPEND", O_APPEND}, {"O_DIRECTORY", O_DIRECTORY},
    {"O_NOFOLLOW", O_NOFOLLOW}, {"SEEK_SET", SEEK_SET}, {"SEEK_CUR", SEEK_CUR}, {"SEEK_END", SEEK_END},
    {"SEEK_DATA", SEEK_DATA}, {"SEEK_HOLE", SEEK_HOLE}, {"PROT_NONE", PROT_NONE}, {"PROT_READ", PROT_READ},
    {"PROT_WRITE", PROT_WRITE}, {"MAP_SHARED", MAP_SHARED}, {"MAP_PRIVATE", MAP_PRIVATE},
    {"MAP_ANONYMOUS", MAP_ANONYMOUS}, {"MAP_FIXED", MAP_FIXED}, {"MS_SYNC", MS_SYNC}, {"MS_ASYNC", MS_ASYNC},
    {"MS_INVALIDATE", MS_INVALIDATE},
};

static const struct { const char *name; int value; } errnos[] = {
    {"EPERM", EPERM}, {"ENOENT", ENOENT}, {"EIO", EIO}, {"ENXIO", ENXIO}, {"EBADF", EBADF},
    {"ENOMEM", ENOMEM}, {"EACCES", EACCES}, {"EFAULT", EFAULT}, {"EEXIST", EEXIST}, {"ENODEV", ENODEV},
    {"ENOTDIR", ENOTDIR}, {"EISDIR", EISDIR}, {"EINVAL", EINVAL}, {"EMFILE", EMFILE}, {"EFBIG", EFBIG},
    {"ENOSPC", ENOSPC}, {"ESPIPE", ESPIPE}, {"EROFS", EROFS}, {"EPIPE", EPIPE},
    {"ENAMETOOLONG", ENAMETOOLONG}, {"ELOOP", ELOOP}, {"EOVERFLOW", EOVERFLOW},
};

static long flags(const char *tok) {
    char buf[256];
    long v = 0;
    snprintf(buf, sizeof buf, "%s", tok);
    for (char *p = strtok(buf, "|"); p; p = strtok(NULL, "|")) {
        int found = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (strcmp(p, names[i].name) == 0) {
                v |= names[i].value;
                found = 1;
            }
        }
        if (!found) {
            v |= strtol(p, NULL, 0);
        }
    }
    return v;
}

static const char *errname(int e) {
    static char other[16];
    for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++) {
        if (errnos[i].value == e) {
            return errnos[i].name;
        }
    }
    snprintf(other, sizeof other, "%d", e);
    return other;
}

static const char *root;

static const char *path(const char *tok, char *buf, size_t n) {
    if (strcmp(tok, "@") == 0) {
        return "";
    }
    snprintf(buf, n, "%s/%s", root, tok);
    return buf;
}

static const char *data(const char *tok) {
    return strcmp(tok, "-") == 0 ? "" : tok;
}

static void show(const unsigned char *b, long n) {
    printf(" [");
    for (long i = 0; i < n; i++) {
        if (b[i] >= 0x21 && b[i] < 0x7f && b[i] != '\\') {
            putchar(b[i]);
        } else {
            printf("\\x%02x", b[i]);
        }
    }
    printf("]");
}

static char *slots[8];

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: fileops ROOT < script\n");
        return 2;
    }
    root = argv[1];
    umask(022);
    setvbuf(stdout, NULL, _IONBF, 0); /* every line out before a signal ends the run */
    char line[4096];
    static unsigned char buf[65536];
    char p1[4096];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        char op[32], a[1024], b[1024], c[1024], d[1024], e[1024], f[1024];
        line[strcspn(line, "\n")] = 0;
        if (line[0] == 0 || line[0] == '#') {
            continue;
        }
        int k = sscanf(line, "%31s %1023s %1023s %1023s %1023s %1023s %1023s", op, a, b, c, d, e, f);
        n++;
        long r = 0;
        long shown = -1;
        errno = 0;
        if (!strcmp(op, "open")) {
            r = open(path(a, p1, sizeof p1), (int) flags(b), k > 3 ? (mode_t) strtol(c, NULL, 8) : 0);
        } else if (!strcmp(op, "close")) {
            r = close(atoi(a));
        } else if (!strcmp(op, "read")) {
            r = read(atoi(a), buf, strtol(b, NULL, 0));
            shown = r;
        } else if (!strcmp(op, "readnull")) {
            r = read(atoi(a), NULL, strtol(b, NULL, 0));
        } else if (!strcmp(op, "pread")) {
            r = pread(atoi(a), buf, strtol(b, NULL, 0), strtol(c, NULL, 0));
            shown = r;
        } else if (!strcmp(op, "write")) {
            r = write(atoi(a), data(b), strlen(data(b)));
        } else if (!strcmp(op, "pwrite")) {
            r = pwrite(atoi(a), data(b), strlen(data(b)), strtol(c, NULL, 0));
        } else if (!strcmp(op, "lseek")) {
            r = lseek(atoi(a), strtol(b, NULL, 0), (int) flags(c));
        } else if (!strcmp(op, "fstat") || !strcmp(op, "stat")) {
            struct stat st;
            r = !strcmp(op, "fstat") ? fstat(atoi(a), &st) : stat(path(a, p1, sizeof p1), &st);
            if (r == 0) {
                printf("%d %s = %ld size=%ld mode=%o nlink=%ld\n", n, op, r, (long) st.st_size,
                       (unsigned) st.st_mode, (long) st.st_nlink);
                continue;
            }
        } else if (!strcmp(op, "ftruncate")) {
            r = ftruncate(atoi(a), strtol(b, NULL, 0));
        } else if (!strcmp(op, "fsync")) {
            r = fsync(atoi(a));
        } else if (!strcmp(op, "unlink")) {
            r = unlink(path(a, p1, sizeof p1));
        } else if (!strcmp(op, "mmap")) {
            void *m = mmap(NULL, strtol(b, NULL, 0), (int) flags(c), (int) flags(d), atoi(e), strtol(f, NULL, 0));
            slots[atoi(a)] = m == MAP_FAILED ? NULL : m;
            r = m == MAP_FAILED ? -1 : 0;
        } else if (!strcmp(op, "munmap")) {
            r = munmap(slots[atoi(a)], strtol(b, NULL, 0));
        } else if (!strcmp(op, "msync")) {
            r = msync(slots[atoi(a)], strtol(b, NULL, 0), (int) flags(c));
        } else if (!strcmp(op, "mprotect")) {
            r = mprotect(slots[atoi(a)], strtol(b, NULL, 0), (int) flags(c));
        } else if (!strcmp(op, "poke")) {
            printf("%d %s\n", n, op); /* before the store, which may raise SIGBUS */
            memcpy(slots[atoi(a)] + strtol(b, NULL, 0), data(c), strlen(data(c)));
            continue;
        } else if (!strcmp(op, "peek")) {
            printf("%d %s", n, op);
            long len = strtol(c, NULL, 0);
            printf(" [");
            for (long i = 0; i < len; i++) { /* one byte at a time: a SIGBUS shows where */
                unsigned char ch = (unsigned char) slots[atoi(a)][strtol(b, NULL, 0) + i];
                if (ch >= 0x21 && ch < 0x7f && ch != '\\') {
                    putchar(ch);
                } else {
                    printf("\\x%02x", ch);
                }
            }
            printf("]\n");
            continue;
        } else {
            fprintf(stderr, "unknown op %s\n", op);
            return 2;
        }
        printf("%d %s = %ld", n, op, r);
        if (r == -1) {
            printf(" %s", errname(errno));
        }
        if (shown > 0) {
            show(buf, shown);
        }
        printf("\n");
    }
    return 0;
}
