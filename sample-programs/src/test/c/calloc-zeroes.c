#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*p=malloc(40); strcpy(p,"0123456789abcdefghijklmnopqrstuvwxyz"); free(p);
char*q=calloc(1,40);
printf("p = break+0x%lx freed; calloc(1, 40) = break+0x%lx (a new chunk)\n", p-heap, q-heap);
char*r=malloc(40);
printf("malloc(40) = break+0x%lx: bytes 16.. still read \"%s\"\n", r-heap, r+16);
char*g=malloc(0x500); malloc(24); memset(g,'x',0x500); free(g);
char*z=calloc(0x50,0x10); int nonzero=0; for(int i=0;i<0x500;i++)nonzero+=z[i]!=0;
printf("calloc(0x50, 0x10) = break+0x%lx (the freed 0x510 chunk): %d non-zero bytes\n", z-heap, nonzero);
void*huge=calloc(1L<<33,1L<<32);
printf("calloc(2^33, 2^32) = %p, errno %d (%s)\n", huge, errno, strerror(errno));}
