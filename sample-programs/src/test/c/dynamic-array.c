#include "common.h"
int main(int argc,char**argv){ setbuf(stdout,NULL); char*heap=sbrk(0);
 int count=argc>1?atoi(argv[1]):40000; long capacity=4; long*data=malloc(capacity*8); char*label=NULL;
 for(long i=0;i<count;i++){
  if(i==capacity){ int wasMapped=(L((char*)data-8)&2)!=0; long*grown=realloc(data,capacity*2*8);
   if(!grown){printf("realloc failed at %ld elements\n", i); return 1;}
   int mapped=(L((char*)grown-8)&2)!=0;
   const char*how=mapped?(wasMapped?"mremap":"mmapped"):grown==data?"in place":"moved";
   if(mapped)printf("capacity %6ld -> %6ld: %-8s page offset 0x%lx\n", capacity, capacity*2, how, (long)grown&0xfff);
   else printf("capacity %6ld -> %6ld: %-8s break+0x%lx\n", capacity, capacity*2, how, (char*)grown-heap);
   data=grown; capacity*=2; if(capacity==64)label=strdup("a block allocated after the array");}
  data[i]=i*i;}
 long sum=0; for(long i=0;i<count;i++)sum+=data[i];
 printf("%d elements, sum of squares %ld\n", count, sum);
 struct mallinfo2 mi=mallinfo2();
 printf("heap summary: arena %zu, in use %zu, free %zu, mmapped blocks %zu (%zu bytes)\n", mi.arena, mi.uordblks, mi.fordblks, mi.hblks, mi.hblkhd);
 free(data); free(label);}
