/* mallocscope's <fcntl.h>: open() on the simulated file system (Linux x86-64 flag values). */
#pragma once
#include <_types.h>
#include <sys/stat.h>
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_ACCMODE 03
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_CLOEXEC 02000000
int open(const char *path, int flags, ...);
int creat(const char *path, mode_t mode);
