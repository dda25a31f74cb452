#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*first=malloc(24); char*p=memalign(256,100);
printf("malloc(24) = break+0x%lx; memalign(256, 100) = break+0x%lx (aligned: %s), size word 0x%lx\n", first-heap, p-heap, YN((long)p%256==0), L(p-8));
char*leader=first+0x20;
printf("leader at break+0x%lx, size word 0x%lx\n", leader-16-heap, L(leader-8));
char*again=malloc(L(leader-8)-0x11);
printf("malloc(0x%lx) = break+0x%lx (the leader)\n", L(leader-8)-0x11, again-heap);
char*next=malloc(24);
printf("malloc(24) = break+0x%lx (from top, past the freed tail)\n", next-heap);}
