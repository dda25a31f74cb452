#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*a=malloc(24),*b=malloc(0x418),*guard=malloc(24),*m=malloc(0x30000);
printf("a = malloc(24):      chunk at break+0x%lx, size word 0x%lx, usable %zu\n", a-16-heap, L(a-8), malloc_usable_size(a));
printf("b = malloc(0x418):   chunk at break+0x%lx, size word 0x%lx, usable %zu\n", b-16-heap, L(b-8), malloc_usable_size(b));
L(b+0x410)=0x4242424242424242L;
printf("b's last 8 usable bytes are guard's prev_size: 0x%lx\n", L(guard-16));
printf("guard = malloc(24):  chunk at break+0x%lx, size word 0x%lx (P: b is in use)\n", guard-16-heap, L(guard-8));
printf("m = malloc(0x30000): page offset 0x%lx, size word 0x%lx (M), usable %zu\n", (long)m&0xfff, L(m-8), malloc_usable_size(m));
free(b);
printf("after free(b): guard's size word 0x%lx (P cleared), prev_size 0x%lx\n", L(guard-8), L(guard-16));
free(m); free(guard); free(a);}
