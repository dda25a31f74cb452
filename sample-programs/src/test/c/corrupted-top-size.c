#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0); char*a=malloc(24);
printf("a = break+0x%lx; top's size word 0x%lx\n", a-heap, L(a+24)); L(a+24)=-1L;
printf("top's size word overwritten: 0x%lx\n", L(a+24)); malloc(0x100); printf("not reached\n");}
