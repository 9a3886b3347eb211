#!/usr/bin/env bash
# Runs the micro-benchmarks (preset 'default', built if needed) and prints each measurement
# as a ratio to its same-run baseline. Usage: scripts/bench.sh [extra benchmark flags]
# Pinned to one CPU with taskset when available: these are single-thread, in-process figures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
scripts/build.sh default >/dev/null

pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
  pin=(taskset -c 1)
fi

# measured baseline — what each figure is compared with
pairs=(
  "BM_RetainRelease BM_Baseline_SharedPtrCopy"
  "BM_DictionaryLookupBySymbol BM_Baseline_UnorderedMapLookup"
  "BM_DictionaryLookupByCString BM_Baseline_UnorderedMapLookup"
  "BM_DictionaryLookupByCString BM_DictionaryLookupBySymbol"
  "BM_DynamicCastHit BM_Baseline_CppDynamicCastHit"
  "BM_DynamicCastMiss BM_Baseline_CppDynamicCastMiss"
)

csv=$(mktemp)
trap 'rm -f "$csv"' EXIT
"${pin[@]}" build/bench/bench_libkern --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_format=csv "$@" 2>/dev/null >"$csv"

median() { awk -F, -v n="\"$1_median\"" '$1 == n { print $4 }' "$csv"; }
printf '%-32s %10s   %-32s %10s   %s\n' measurement "ns (cpu)" baseline "ns (cpu)" ratio
for pair in "${pairs[@]}"; do
  read -r a b <<<"$pair"
  ta=$(median "$a"); tb=$(median "$b")
  printf '%-32s %10.2f   %-32s %10.2f   %.2fx\n' "$a" "$ta" "$b" "$tb" "$(awk -v x="$ta" -v y="$tb" 'BEGIN { print x / y }')"
done
