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
  "BM_MatchAndStartNubs BM_Baseline_AllocInitLinkNubs"
  "BM_TerminateSubtree BM_Baseline_FreePlainTree"
)

csv=$(mktemp)
trap 'rm -f "$csv"' EXIT
for bench in bench_libkern bench_kernel; do
  "${pin[@]}" "build/bench/$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_format=csv "$@" 2>/dev/null | grep -v '^name,' >>"$csv"
done

# Wall-clock medians (column 3), in each benchmark's own unit (ns, or ms for bench_kernel).
median() { awk -F, -v n="\"$1_median\"" '$1 == n { print $3 " " $5 }' "$csv"; }
printf '%-32s %14s   %-32s %14s   %s\n' measurement time baseline time ratio
for pair in "${pairs[@]}"; do
  read -r a b <<<"$pair"
  read -r ta ua <<<"$(median "$a")"; read -r tb ub <<<"$(median "$b")"
  printf '%-32s %11.2f %-2s   %-32s %11.2f %-2s   %.2fx\n' "$a" "$ta" "$ua" "$b" "$tb" "$ub" \
    "$(awk -v x="$ta" -v y="$tb" 'BEGIN { print x / y }')"
done
