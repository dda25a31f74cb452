#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0); char*a=malloc(24),*victim=malloc(24);
printf("a = break+0x%lx, victim = break+0x%lx, victim's size word 0x%lx\n", a-heap, victim-heap, L(victim-8));
memset(a,'A',24); L(a+24)=0x10;
printf("after the overflow: victim's size word 0x%lx\n", L(victim-8)); free(victim); printf("not reached\n");}
