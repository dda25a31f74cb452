/* mallocscope's <semaphore.h>: unnamed semaphores of the simulated nptl. */
#pragma once
#include <_types.h>
typedef union { char __size[32]; long __align; } sem_t;
int sem_init(sem_t *sem, int pshared, unsigned int value);
int sem_destroy(sem_t *sem);
int sem_wait(sem_t *sem);
int sem_post(sem_t *sem);
