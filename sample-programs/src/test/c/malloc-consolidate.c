#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*fill[7]; for(int i=0;i<7;i++)fill[i]=malloc(0x28);
char*a=malloc(0x28),*b=malloc(0x28),*d=malloc(0x28),*guard=malloc(24);
for(int i=0;i<7;i++)free(fill[i]);
free(a);free(b);free(d);
printf("a, b, d at break+0x%lx, +0x%lx, +0x%lx in the fastbin; guard's size word 0x%lx\n", a-heap,b-heap,d-heap,L(guard-8));
char*big=malloc(0x500);
printf("malloc(0x500) = break+0x%lx\n", big-heap);
printf("a's size word 0x%lx; guard's size word 0x%lx, prev_size 0x%lx\n", L(a-8), L(guard-8), L(guard-16));
char*merged=calloc(1,0x88);
printf("calloc(1, 0x88) = break+0x%lx (a again, now 0x90 long)\n", merged-heap);}
