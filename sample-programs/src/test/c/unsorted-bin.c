#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*a=malloc(0x500),*g1=malloc(24),*b=malloc(0x500),*g2=malloc(24);
printf("a = break+0x%lx, b = break+0x%lx (0x510 chunks, guards between)\n", a-heap, b-heap);
free(a);free(b); char*bin=(char*)L(a);
printf("unsorted: bin.fd = b: %s; b.fd = a: %s; a.fd = bin; a.bk = b: %s; b.bk = bin: %s\n", YN(L(bin+0x10)==(long)(b-16)), YN(L(b)==(long)(a-16)), YN(L(a+8)==(long)(b-16)), YN(L(b+8)==(long)bin));
char*x=malloc(0x100);
printf("malloc(0x100) = break+0x%lx\n", x-heap);
char*rest=x-16+0x110;
printf("the remainder at break+0x%lx has size word 0x%lx and is alone in the unsorted bin: %s\n", rest-heap, L(rest+8), YN(L(rest+16)==(long)bin && L(rest+24)==(long)bin));
char*y=malloc(0x100);
printf("malloc(0x100) = break+0x%lx (cut from the last remainder)\n", y-heap);
free(g1);free(g2);}
