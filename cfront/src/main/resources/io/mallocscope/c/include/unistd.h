/* mallocscope's <unistd.h> */
#pragma once
#include <_types.h>
#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
#define _SC_PAGESIZE 30
#define _SC_PAGE_SIZE _SC_PAGESIZE
#define _SC_NPROCESSORS_ONLN 84
int brk(void *addr);
void *sbrk(intptr_t increment);
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
ssize_t read(int fd, void *buf, size_t count);
ssize_t pread(int fd, void *buf, size_t count, off_t offset);
ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);
off_t lseek(int fd, off_t offset, int whence);
int close(int fd);
int ftruncate(int fd, off_t length);
int fsync(int fd);
int unlink(const char *path);
ssize_t write(int fd, const void *buf, size_t count);
int getpagesize(void);
long sysconf(int name);
void _exit(int status);
unsigned int sleep(unsigned int seconds);
int usleep(unsigned int usec);
pid_t getpid(void);
pid_t getppid(void);
pid_t fork(void);
int pipe(int pipefd[2]);
