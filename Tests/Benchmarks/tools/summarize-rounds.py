# Median QPS per (dataset, library, graph, search parameter) over the rounds of a results CSV (anchor format).
# Usage: python3 summarize-rounds.py FILE.csv
import csv,sys,collections,statistics
rows=list(csv.DictReader(open(sys.argv[1])))
# key: (dataset, lib+graph, search_param) -> list of (qps, percpu, recall)
d=collections.defaultdict(list)
for r in rows:
    p=r['params']; lib=r['lib']
    if 'graph=hnswlib' in p: lib+='(hnswlib graph)'
    d[(r['dataset'],lib,r['search_param'])].append((float(r['qps_median']),float(r['qps_per_cpu_s']),float(r['recall_at_10'])))
for k in sorted(d, key=lambda k:(k[0],k[1],int(k[2].split('=')[1]))):
    v=d[k]; print(f"{k[0]:14s} {k[1]:40s} {k[2]:7s} recall {v[0][2]:.4f} qps {'/'.join(str(int(x[0])) for x in v):24s} med {statistics.median(x[0] for x in v):8.0f} percpu med {statistics.median(x[1] for x in v):8.0f}")
