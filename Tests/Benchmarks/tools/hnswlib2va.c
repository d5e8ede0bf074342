// hnswlib2va: converts an hnswlib index file (saveIndex format, L2, float32) into a VectorAspire HNSW index file holding the
// same graph, so our search can be timed on hnswlib's graph (search-only comparison; see ../results/README.md).
// Build: gcc -O2 -msse4.2 hnswlib2va.c -o hnswlib2va     Usage: hnswlib2va HNSWLIB_INDEX OUT_FILE DIM
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <nmmintrin.h>
static uint32_t crc(const unsigned char*p,size_t n,uint32_t c){ c=~c; size_t i=0; for(;i+8<=n;i+=8){ uint64_t v; memcpy(&v,p+i,8); c=(uint32_t)_mm_crc32_u64(c,v);} for(;i<n;i++) c=_mm_crc32_u8(c,p[i]); return ~c; }
int main(int argc,char**argv){
  FILE*f=fopen(argv[1],"rb"); size_t h[6]; fread(h,8,6,f); int ml,ep; fread(&ml,4,1,f); fread(&ep,4,1,f); size_t mm[3]; fread(mm,8,3,f); double mult; fread(&mult,8,1,f); size_t efc; fread(&efc,8,1,f);
  size_t cnt=h[2], sz=h[3], maxel=h[1]; int M=(int)mm[2]; int dim=atoi(argv[3]);
  int nodeBytes=4+8*M+4*dim; 
  unsigned char*elem=malloc(sz);
  size_t level0=(size_t)cnt*nodeBytes;
  unsigned char*l0=malloc(level0);
  for(size_t i=0;i<maxel;i++){ fread(elem,1,sz,f); if(i<cnt){ uint32_t c=*(uint32_t*)elem & 0xffff; memcpy(l0+i*nodeBytes,elem,4+8*M+4*dim); *(int*)(l0+i*nodeBytes)=(int)c; } }
  unsigned char*levels=malloc(cnt); int*offs=malloc(4*cnt);
  size_t cap=1<<20, used=0; int*upper=malloc(cap*4);
  for(size_t i=0;i<cnt;i++){ uint32_t lls; fread(&lls,4,1,f); int lv= lls? lls/(4*(M+1)) : 0; levels[i]=lv; offs[i]= lv? (int)used : -1;
    if(lls){ if(used+lls/4>cap){cap*=2; while(used+lls/4>cap) cap*=2; upper=realloc(upper,cap*4);} fread(upper+used,1,lls,f); for(int l=0;l<lv;l++){ int*L=upper+used+l*(M+1); L[0]&=0xffff; } used+=lls/4; } }
  fclose(f);
  size_t body=level0+cnt+4*cnt+4*used; unsigned char*out=malloc(64+body); memset(out,0,64);
  unsigned char*p=out+64; memcpy(p,l0,level0); p+=level0; memcpy(p,levels,cnt); p+=cnt; memcpy(p,offs,4*cnt); p+=4*cnt; memcpy(p,upper,4*used);
  uint32_t magic=0x57534E48; uint16_t ver=1, fl=0; int32_t v;
  memcpy(out,&magic,4); memcpy(out+4,&ver,2); memcpy(out+6,&fl,2);
  v=0; memcpy(out+8,&v,4); v=dim; memcpy(out+12,&v,4); v=(int)cnt; memcpy(out+16,&v,4); v=M; memcpy(out+20,&v,4); v=(int)efc; memcpy(out+24,&v,4);
  memcpy(out+28,&ep,4); memcpy(out+32,&ml,4); v=nodeBytes; memcpy(out+36,&v,4); v=4+8*M; memcpy(out+40,&v,4); int64_t ui=used; memcpy(out+48,&ui,8);
  uint32_t cb=crc(out+64,body,0); memcpy(out+56,&cb,4); uint32_t ch=crc(out,60,0); memcpy(out+60,&ch,4);
  FILE*o=fopen(argv[2],"wb"); fwrite(out,1,64+body,o); fclose(o);
  printf("cnt=%zu M=%d maxlevel=%d ep=%d upperInts=%zu\n",cnt,M,ml,ep,used);
}
