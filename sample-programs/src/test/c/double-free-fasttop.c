#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0); char*fill[7]; for(int i=0;i<7;i++)fill[i]=malloc(24); char*a=malloc(24);
for(int i=0;i<7;i++)free(fill[i]);
printf("tcache for 0x20 is full; a = break+0x%lx\n", a-heap); free(a); printf("free(a) once: into the fastbin\n"); free(a); printf("free(a) twice: not reached\n");}
