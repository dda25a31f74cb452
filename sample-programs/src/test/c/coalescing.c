#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*a=malloc(0x508),*b=malloc(0x508),*d=malloc(0x508),*e=malloc(0x508),*guard=malloc(24),*last=malloc(0x508);
printf("a..e at break+0x%lx, +0x%lx, +0x%lx, +0x%lx; last at +0x%lx\n", a-heap,b-heap,d-heap,e-heap,last-heap);
free(a);free(b);
printf("free(a), free(b): chunk at a has size word 0x%lx\n", L(a-8));
free(e);free(d);
printf("free(e), free(d): chunk at a has size word 0x%lx, guard's prev_size 0x%lx\n", L(a-8), L(guard-16));
struct mallinfo2 before=mallinfo2(); free(last); struct mallinfo2 after=mallinfo2();
printf("free(last): top grew from 0x%lx to 0x%lx\n", before.keepcost, after.keepcost);
free(guard);}
