/* mallocscope's <stdarg.h>: va_list as the x86-64 ABI has it (one __va_list_tag), read by va_arg. */
#pragma once
#include <_types.h>
typedef __builtin_va_list va_list;
typedef __builtin_va_list __gnuc_va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)
#define va_copy(dest, src) __builtin_va_copy(dest, src)
