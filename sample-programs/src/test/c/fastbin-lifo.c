#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*fill[7]; for(int i=0;i<7;i++)fill[i]=malloc(0x28);
char*a=malloc(0x28),*b=malloc(0x28),*d=malloc(0x28),*guard=malloc(0x28);
for(int i=0;i<7;i++)free(fill[i]);
free(a);free(b);free(d);
printf("freed a = break+0x%lx, b = break+0x%lx, d = break+0x%lx into the 0x30 fastbin\n", a-heap,b-heap,d-heap);
printf("size words of b, d and guard: 0x%lx 0x%lx 0x%lx (P still set: no merging)\n", L(b-8),L(d-8),L(guard-8));
char*first=calloc(1,0x28);
printf("calloc(1, 0x28) = break+0x%lx (d: last in, first out)\n", first-heap);
free(first);
for(int i=0;i<7;i++)malloc(0x28);
char*x=malloc(0x28),*y=malloc(0x28),*z=malloc(0x28);
printf("after draining the tcache: break+0x%lx, break+0x%lx, break+0x%lx\n", x-heap,y-heap,z-heap);}
