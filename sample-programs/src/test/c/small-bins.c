#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*fill[14]; for(int i=0;i<14;i++)fill[i]=malloc(i<7?0x88:0x98);
char*x=malloc(0x88); malloc(24); char*y=malloc(0x88); malloc(24); char*z=malloc(0x98); malloc(24);
for(int i=0;i<14;i++)free(fill[i]);
free(x);free(y);free(z);
printf("x = break+0x%lx, y = break+0x%lx (0x90), z = break+0x%lx (0xa0) freed\n", x-heap,y-heap,z-heap);
char*big=malloc(0x500);
printf("malloc(0x500) = break+0x%lx sorted them\n", big-heap);
char*bin90=(char*)L(x),*binA0=(char*)L(z);
printf("0x90 bin: bin.fd = y: %s, y.fd = x: %s, x.fd = bin, x.bk = y: %s; the 0xa0 bin is 0x10 further: %s\n", YN(L(bin90+0x10)==(long)(y-16)), YN(L(y)==(long)(x-16)), YN(L(x+8)==(long)(y-16)), YN(binA0==bin90+0x10));
char*p=calloc(1,0x88),*q=calloc(1,0x88),*r=calloc(1,0x98);
printf("calloc 0x88 -> break+0x%lx, 0x88 -> break+0x%lx, 0x98 -> break+0x%lx\n", p-heap,q-heap,r-heap);}
