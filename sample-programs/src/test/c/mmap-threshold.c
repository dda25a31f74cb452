#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*p=malloc(200000);
printf("malloc(200000) = %p: page offset 0x%lx, size word 0x%lx, break at +0x%lx\n", p, (long)p&0xfff, L(p-8), (char*)sbrk(0)-heap);
printf("mallinfo2: %zu mmapped block(s), %zu bytes\n", mallinfo2().hblks, mallinfo2().hblkhd);
free(p);
printf("free: %zu mmapped block(s)\n", mallinfo2().hblks);
char*q=malloc(200000);
printf("malloc(200000) = break+0x%lx, size word 0x%lx, break at +0x%lx\n", q-heap, L(q-8), (char*)sbrk(0)-heap);
char*r=malloc(24);
printf("malloc(24) = break+0x%lx\n", r-heap);}
