/* mallocscope: basic types shared by the standard headers (LP64, as on x86_64 Linux). */
#pragma once
typedef unsigned long size_t;
typedef long ssize_t;
typedef long ptrdiff_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef long off_t;
typedef int pid_t;
typedef int wchar_t;
#define NULL ((void *)0)
