#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
long R[]={0,1,24,25,40,41,100,1000,1001,1032,1033};
for(int i=0;i<11;i++){char*p=malloc(R[i]);
printf("malloc(%4zu) = break+0x%04lx  chunk 0x%03lx  usable %4zu\n", R[i], p-heap, L(p-8)&~7L, malloc_usable_size(p));}}
