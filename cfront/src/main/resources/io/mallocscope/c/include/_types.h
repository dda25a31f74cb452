/* mallocscope: basic types shared by the standard headers (LP64, as on x86_64 Linux). */
#pragma once
typedef unsigned long size_t;
typedef long ssize_t;
typedef long ptrdiff_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef long off_t;
typedef int pid_t;
typedef unsigned int mode_t;
typedef int wchar_t;
#define NULL ((void *)0)
/* the x86-64 ABI's va_list: one __va_list_tag (see <stdarg.h>) */
typedef struct __va_list_tag {
    unsigned int gp_offset;
    unsigned int fp_offset;
    void *overflow_arg_area;
    void *reg_save_area;
} __builtin_va_list[1];
