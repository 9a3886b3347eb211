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
  "BM_KextLoadUnload BM_BareDlopenDlclose"
)

csv=$(mktemp)
trap 'rm -f "$csv"' EXIT
for bench in bench_libkern bench_kernel bench_kext; do
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

# IPC (bench_ipc starts its own iokitd): a method call vs a raw Unix-socket ping-pong between two
# processes, with both on one core (a same-core round trip) and free to use both cores (each
# wakeup may cross cores), as these 2-vCPU machines give very different figures for the two.
for placement in "taskset -c 0" ""; do
  ipc=$(mktemp)
  $placement build/bench/bench_ipc --benchmark_filter='BM_RawPingPong|BM_ScalarCall/real_time/threads:1$' \
    --benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_format=csv 2>/dev/null \
    | grep -v '^name,' >"$ipc"
  raw=$(awk -F, '$1 == "\"BM_RawPingPong/real_time_median\"" { print $3 }' "$ipc")
  call=$(awk -F, '$1 == "\"BM_ScalarCall/real_time/threads:1_median\"" { print $3 }' "$ipc")
  rm -f "$ipc"
  printf '%-32s %11.2f ns   %-32s %11.2f ns   %.2fx   (%s)\n' BM_ScalarCall "$call" BM_RawPingPong "$raw" \
    "$(awk -v x="$call" -v y="$raw" 'BEGIN { print x / y }')" "${placement:-both cores}"
done
