#include "common.h"
struct node{char*key;long count;struct node*next;};
static unsigned long hash(const char*s){unsigned long h=5381; for(;*s;s++)h=h*33+(unsigned char)*s; return h&0x7fffffffffffffffUL;}
int main(int argc,char**argv){
 const char*TEXT="the quick brown fox jumps over the lazy dog the dog barks and the fox runs over the hill and far away";
 char*words[200]; int nw=0; static char t[200]; strcpy(t,TEXT);
 for(char*w=strtok(t," ");w;w=strtok(NULL," "))words[nw++]=w;
 /* undo the strdup's effect on the heap? it is freed at once after copying the pointers out */
 char copy[200][64]; for(int i=0;i<nw;i++)strcpy(copy[i],words[i]); 
 struct node**table=calloc(16,8); char word[64]; int distinct=0;
 for(int i=0;i<nw;i++){ strcpy(word,copy[i]); struct node**bucket=&table[hash(word)%16]; struct node*n=*bucket;
  while(n&&strcmp(n->key,word)!=0)n=n->next;
  if(!n){n=malloc(24); n->key=strdup(word); n->count=0; n->next=*bucket; *bucket=n; distinct++;}
  n->count++;}
 printf("%d words, %d distinct\n", nw, distinct);
 for(int i=0;i<16;i++)for(struct node*n=table[i];n;n=n->next)if(n->count>1)printf("%-6s %ld\n", n->key, n->count);
 struct mallinfo2 used=mallinfo2();
 printf("heap in use: %zu bytes in chunks, %zu free in the arena (%zu bytes from the system)\n", used.uordblks, used.fordblks, used.arena);
 for(int i=0;i<16;i++){struct node*n=table[i]; while(n){struct node*next=n->next; free(n->key); free(n); n=next;}}
 free(table);
 struct mallinfo2 after=mallinfo2();
 printf("after freeing: %zu bytes in use, %zu in fastbins (%zu chunks), %zu free in all\n", after.uordblks, after.fsmblks, after.smblks, after.fordblks);}
