#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*a=malloc(0x100),*neighbour=malloc(24),*t=malloc(0x100);
strcpy(a,"contents of a");
printf("a = break+0x%lx, neighbour = break+0x%lx, t = break+0x%lx (borders top)\n", a-heap, neighbour-heap, t-heap);
char*t2=realloc(t,0x400);
printf("realloc(t, 0x400) = break+0x%lx (in place: %s), size word 0x%lx\n", t2-heap, YN(t2==t), L(t2-8));
char*a2=realloc(a,0x200);
printf("realloc(a, 0x200) = break+0x%lx (moved: %s), still holds \"%s\"\n", a2-heap, YN(a2!=a), a2);
char*reuse=malloc(0x100);
printf("malloc(0x100) = break+0x%lx (a's old chunk, from the tcache)\n", reuse-heap);
char*a3=realloc(a2,0x80);
printf("realloc(a2, 0x80) = break+0x%lx (in place: %s), size word 0x%lx; tail at break+0x%lx, size word 0x%lx\n", a3-heap, YN(a3==a2), L(a3-8), a3-16+0x90-heap, L(a3-8+0x90));}
