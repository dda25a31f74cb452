#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <malloc.h>
#include <sys/mman.h>
#include <errno.h>
#define L(p) (*(long *)(p))
#define YN(x) ((x) ? "yes" : "no")
