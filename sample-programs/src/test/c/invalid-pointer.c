#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0); char*p=malloc(64);
printf("p = break+0x%lx; freeing p + 8\n", p-heap); free(p+8); printf("not reached\n");}
