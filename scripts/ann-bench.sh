#!/usr/bin/env bash
# ANN benchmark of one index type in the anchor benchmark's "own tool" format (../shared/bench/README.md).
# Usage: scripts/ann-bench.sh INDEX      INDEX = flat | hnsw | hnsw_sq | ivf_flat | ivf_sq8 | ivf_pq | autoindex
# Every BENCH_* variable may be preset (run_anchor.sh sets them); otherwise the defaults below apply. Extensions:
# BENCH_INDEX_FILE (save the built index there, or load it when it exists), BENCH_REFINE_K (refine_k for every search).
# Only CSV goes to stdout (header first); the build log and progress go to stderr.
# As run_anchor.sh's OWN_CMD:  OWN_CMD="$PWD/scripts/ann-bench.sh hnsw" ./run_anchor.sh own summary
set -euo pipefail
index="${1:?usage: scripts/ann-bench.sh INDEX (flat | hnsw | hnsw_sq | ivf_flat | ivf_sq8 | ivf_pq)}"
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${BENCH_DATA_DIR:-$root/../shared/bench/data}"
export BENCH_DATASET="${BENCH_DATASET:-clustered-128-200k}"
export BENCH_BASE="${BENCH_BASE:-$data/$BENCH_DATASET/base.fvecs}"
export BENCH_QUERY="${BENCH_QUERY:-$data/$BENCH_DATASET/query.fvecs}"
export BENCH_GT="${BENCH_GT:-$data/$BENCH_DATASET/gt.ivecs}"
case "$BENCH_DATASET" in clustered-768*) default_metric=ip ;; *) default_metric=l2 ;; esac
export BENCH_METRIC="${BENCH_METRIC:-$default_metric}"
export BENCH_REPS="${BENCH_REPS:-3}"
export BENCH_BUILD_THREADS="${BENCH_BUILD_THREADS:-2}"
case "$index" in
  hnsw|hnsw_sq|autoindex) default_efs=16,32,64,128,256 ;;
  ivf_*) default_efs=1,2,4,8,16,32,64,128 ;;
  *) default_efs=0 ;;
esac
export BENCH_EFS="${BENCH_EFS:-$default_efs}"
case "$index" in
  hnsw) default_params="M=16;efConstruction=200" ;;
  hnsw_sq) default_params="M=16;efConstruction=200;sq_type=SQ8;refine=true;refine_type=FP32" ;;
  ivf_flat|ivf_sq8) default_params="nlist=1024" ;;
  ivf_pq) default_params="nlist=1024;m=16;nbits=8" ;;
  *) default_params="" ;;
esac
export BENCH_PARAMS="${BENCH_PARAMS-$default_params}"
project="$root/Tests/Benchmarks/VectorAspire.Benchmarks"
dotnet build "$project" -c Release -nologo -v quiet >&2
exec dotnet "$project/bin/Release/net10.0/VectorAspire.Benchmarks.dll" ann "$index"
