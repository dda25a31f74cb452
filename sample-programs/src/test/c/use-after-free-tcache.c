#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0); char*a=malloc(24),*b=malloc(24); free(a); free(b);
printf("a = break+0x%lx, b = break+0x%lx freed; b's link word 0x%lx\n", a-heap, b-heap, L(b));
strcpy(b,"AAAAAAA");
printf("dangling write: b's link word is now 0x%lx, which un-mangles to 0x%lx\n", L(b), L(b)^((long)b>>12));
char*first=malloc(24); printf("malloc(24) = break+0x%lx (b)\n", first-heap); malloc(24); printf("not reached\n");}
