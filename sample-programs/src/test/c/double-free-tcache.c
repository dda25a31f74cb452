#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0); char*a=malloc(24);
printf("a = break+0x%lx\n", a-heap); free(a); printf("free(a) once: fine\n"); free(a); printf("free(a) twice: not reached\n");}
