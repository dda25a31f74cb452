/* mallocscope's <time.h>: the clock, not the calendar. time() is the host's clock, as a native run's
 * is; clock() counts the microseconds the program has run (it runs on one simulated CPU); the
 * calendar functions (localtime, strftime, ...) are not declared: glibc's read the time zone files
 * through stdio and malloc, which the front end does not model. */
#pragma once
#include <_types.h>
typedef long time_t;
typedef long clock_t;
#define CLOCKS_PER_SEC ((clock_t) 1000000)
time_t time(time_t *tloc);
clock_t clock(void);
double difftime(time_t time1, time_t time0);
