/* mallocscope's <ctype.h>: the C locale. As glibc 2.36's header, the classes are macros reading the
 * thread's class table (__ctype_b_loc), whose entries hold one bit per class, so isalpha('a') is 1024,
 * not 1; toupper and tolower are calls at -O0. The functions are there too, for (isalpha)(c) and
 * pointers (gcc computes (isdigit)(c), (isascii)(c) and (toascii)(c) in place, to 0 or 1). */
#pragma once
const unsigned short **__ctype_b_loc(void);
const int **__ctype_tolower_loc(void);
const int **__ctype_toupper_loc(void);
int isalnum(int c);
int isalpha(int c);
int iscntrl(int c);
int isdigit(int c);
int islower(int c);
int isgraph(int c);
int isprint(int c);
int ispunct(int c);
int isspace(int c);
int isupper(int c);
int isxdigit(int c);
int isblank(int c);
int tolower(int c);
int toupper(int c);
int isascii(int c);
int toascii(int c);
#define __isctype(c, type) ((*__ctype_b_loc())[(int) (c)] & (unsigned short int) (type))
#define isupper(c) __isctype((c), 0x100)
#define islower(c) __isctype((c), 0x200)
#define isalpha(c) __isctype((c), 0x400)
#define isdigit(c) __isctype((c), 0x800)
#define isxdigit(c) __isctype((c), 0x1000)
#define isspace(c) __isctype((c), 0x2000)
#define isprint(c) __isctype((c), 0x4000)
#define isgraph(c) __isctype((c), 0x8000)
#define isblank(c) __isctype((c), 0x1)
#define iscntrl(c) __isctype((c), 0x2)
#define ispunct(c) __isctype((c), 0x4)
#define isalnum(c) __isctype((c), 0x8)
#define isascii(c) (((c) & ~0x7f) == 0)
#define toascii(c) ((c) & 0x7f)
