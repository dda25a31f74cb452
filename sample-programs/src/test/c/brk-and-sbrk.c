#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
printf("initial break: %p\n", heap);
char*old=sbrk(0x1000);
printf("sbrk(0x1000) returned the old break %p; the break is now break+0x%lx\n", old, (char*)sbrk(0)-heap);
L(old)=0x1122334455667788L;
printf("the new page is usable: it holds 0x%lx\n", L(old));
int rc=brk(heap);
printf("brk(initial break) = %d; the break is back at break+0x%lx\n", rc, (char*)sbrk(0)-heap);
char*a=malloc(24);
printf("malloc(24) = break+0x%lx; the break is now break+0x%lx\n", a-heap, (char*)sbrk(0)-heap);
char*b=malloc(0x1f000);
printf("malloc(0x1f000) = break+0x%lx; it fit in top, the break stays at break+0x%lx\n", b-heap, (char*)sbrk(0)-heap);
char*d=malloc(0x1f000);
printf("malloc(0x1f000) = break+0x%lx; top was too small, the break moved to break+0x%lx\n", d-heap, (char*)sbrk(0)-heap);
}
