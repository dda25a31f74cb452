/* mallocscope's <stddef.h> */
#pragma once
#include <_types.h>
#define offsetof(type, member) __builtin_offsetof(type, member)
typedef struct { long long __ll; long long __pad; } __attribute__((aligned(16))) max_align_t;
