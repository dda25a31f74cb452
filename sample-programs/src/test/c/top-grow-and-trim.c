#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*p[4];
for(int i=0;i<4;i++){p[i]=malloc(0x10000); printf("malloc(0x10000) = break+0x%lx, break at +0x%lx\n", p[i]-heap, (char*)sbrk(0)-heap);}
for(int i=3;i>=0;i--){free(p[i]); printf("free(break+0x%lx): break at +0x%lx, top 0x%lx\n", p[i]-heap, (char*)sbrk(0)-heap, mallinfo2().keepcost);}
int released=malloc_trim(0);
printf("malloc_trim(0) = %d: break at +0x%lx, top 0x%lx\n", released, (char*)sbrk(0)-heap, mallinfo2().keepcost);}
