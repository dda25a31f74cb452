/* mallocscope's <sys/wait.h>: waiting for the processes fork() made (the simulated kernel's). */
#pragma once
#include <_types.h>
#define WNOHANG 1
/* Linux's wait status: the exit code in bits 8-15, or the signal that ended the process in bits 0-6 */
#define WEXITSTATUS(status) (((status) >> 8) & 0xff)
#define WTERMSIG(status) ((status) & 0x7f)
#define WIFEXITED(status) (WTERMSIG(status) == 0)
#define WIFSIGNALED(status) (WTERMSIG(status) != 0 && WTERMSIG(status) != 0x7f)
pid_t wait(int *wstatus);
pid_t waitpid(pid_t pid, int *wstatus, int options);
