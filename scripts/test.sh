#!/usr/bin/env bash
# Runs the whole test suite (unit, integration, end-to-end) and prints "N passed, N failed" from the TRX results.
# Usage: ./scripts/test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~Wal]
set -uo pipefail
cd "$(dirname "$0")/.."
results="${TEST_RESULTS_DIR:-$PWD/TestResults}"
rm -rf "$results"
mkdir -p "$results"

# The end-to-end tests drive the server with the official Milvus Node SDK from npm.
if [ ! -f Tests/VectorAspire.EndToEnd.Tests/node/node_modules/@zilliz/milvus2-sdk-node/package.json ]; then
  (cd Tests/VectorAspire.EndToEnd.Tests/node && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: the Node SDK tests will fail"
fi

build_rc=0
dotnet build VectorAspire.sln -c Release -nologo -v quiet || build_rc=$?
test_rc=0
if [ "$build_rc" -eq 0 ]; then
  dotnet test VectorAspire.sln -c Release --no-build --nologo --logger "trx" --results-directory "$results" "$@" || test_rc=$?
fi

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$build_rc" -ne 0 ]; then
  failed=$((failed + 1))
  echo "build failed"
elif [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A crashed test host leaves no failed counter: count it so a red run is never reported as green.
  failed=1
  echo "dotnet test exited with $test_rc"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
