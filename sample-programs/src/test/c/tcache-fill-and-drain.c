#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
int tidx=(0x100-0x20)/16; char*count=heap+0x10+2*tidx; char*head=heap+0x90+8*tidx;
char*p[9]; for(int i=0;i<9;i++)p[i]=malloc(0xf8);
for(int i=0;i<8;i++){free(p[i]); printf("free(p%d = break+0x%lx): tcache count %d, head break+0x%lx\n", i, p[i]-heap, *(short*)count, L(head)-(long)heap);}
printf("p7 went to the unsorted bin: fd and bk equal: %s\n", YN(L(p[7])==L(p[7]+8)));
for(int i=0;i<7;i++){char*q=malloc(0xf8); printf("malloc(0xf8) = break+0x%lx, tcache count %d\n", q-heap, *(short*)count);}}
