#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*s420=malloc(0x418); malloc(24); char*s430=malloc(0x428); malloc(24); char*s450=malloc(0x448); malloc(24);
free(s420);free(s430);free(s450); malloc(0x1000);
printf("0x420 at break+0x%lx, 0x430 at break+0x%lx, 0x450 at break+0x%lx\n", s420-16-heap, s430-16-heap, s450-16-heap);
char*bin=(char*)L(s420);
printf("bin fd -> 0x430: %s; 0x430 fd -> 0x420: %s; 0x420 fd -> bin: %s\n", YN(L(bin+0x10)==(long)(s430-16)), YN(L(s430)==(long)(s420-16)), YN(L(s420+8)==(long)(s430-16) && L(s420)==(long)bin));
printf("0x430 fd_nextsize -> 0x420: %s; 0x420 fd_nextsize -> 0x430: %s\n", YN(L(s430+16)==(long)(s420-16)), YN(L(s420+16)==(long)(s430-16)));
char*bin450=(char*)L(s450);
printf("0x450 is alone in the next bin, 0x10 further: %s\n", YN(bin450==bin+0x10));
char*p=malloc(0x418);
printf("malloc(0x418) = break+0x%lx (best fit)\n", p-heap);}
