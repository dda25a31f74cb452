/* mallocscope's <sched.h> */
#pragma once
int sched_yield(void);
