#include "common.h"
int main(){ setbuf(stdout,NULL); char*heap=sbrk(0);
char*a=malloc(24),*b=malloc(24),*big=malloc(0x500),*guard=malloc(24);
strcpy(a,"AAAAAAAA"); strcpy(big,"a string in a big chunk");
printf("a = break+0x%lx, b = break+0x%lx, big = break+0x%lx\n", a-heap, b-heap, big-heap);
free(a); free(b);
long aNext=L(a), bNext=L(b);
printf("a's next word: 0x%lx (= a>>12: %s, the end of the list)\n", aNext, YN(aNext==((long)a>>12)));
printf("a's key word is set: %s; same key in b: %s\n", YN(L(a+8)!=0), YN(L(a+8)==L(b+8)));
printf("b's next word: 0x%lx, un-mangled: break+0x%lx (a)\n", bNext, (bNext^((long)b>>12))-(long)heap);
free(big); long fd=L(big), bk=L(big+8);
printf("big's fd %p and bk %p: equal: %s\n", (void*)fd, (void*)bk, YN(fd==bk));
printf("big's first byte is now 0x%02x, not 'a'\n", *big & 0xff);
free(guard);}
