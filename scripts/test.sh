#!/usr/bin/env bash
# Usage: scripts/test.sh [default|asan|tsan] [ctest arguments...]
#   scripts/test.sh                  install deps, build build/, run the whole suite
#   scripts/test.sh asan             same in build-asan/ (ASan + UBSan, LeakSanitizer on)
#   scripts/test.sh tsan             same in build-tsan/ (TSan)
#   scripts/test.sh default -L unit  extra arguments go to ctest (-L unit, -L integration, -R ...)
# Any sanitizer report fails the run: sanitizers halt on the first error (nonzero exit), ASan,
# LSan and TSan reports from any process (children whose exit status a test ignores included)
# are written under <build dir>/sanitizer-logs/, and UBSan reports are found in the tests'
# output; all are printed at the end and turn the exit status nonzero.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

preset=default
if (($# > 0)) && [[ "$1" != -* ]]; then
  preset=$1
  shift
fi
case "$preset" in
  default) builddir=build ;;
  asan)    builddir=build-asan ;;
  tsan)    builddir=build-tsan ;;
  *) echo "usage: $0 [default|asan|tsan] [ctest arguments...]" >&2; exit 2 ;;
esac

scripts/install-deps.sh

root=$(pwd)
logdir="$root/$builddir/sanitizer-logs"
probedir="$root/$builddir/sanitizer-probe"
wrapper=()   # command prefix for build and tests (setarch -R if TSan needs it)

# Compiles and runs a tiny program with the given sanitizer; prints its output.
probe() {  # probe <flags> <source> [wrapper...]
  local flags=$1 src=$2; shift 2
  mkdir -p "$probedir"
  printf '%s\n' "$src" > "$probedir/probe.cpp"
  # shellcheck disable=SC2086
  "${CXX:-c++}" -g $flags "$probedir/probe.cpp" -o "$probedir/probe" -pthread
  "$@" "$probedir/probe" 2>&1 || true
}

case "$preset" in
  asan)
    # LeakSanitizer cannot run under ptrace (e.g. inside gdb/strace, some sandboxes). Check
    # that it works rather than silently losing leak detection.
    out=$(ASAN_OPTIONS=detect_leaks=1 probe -fsanitize=address \
      '#include <cstdlib>
       void *volatile p; int main() { p = std::malloc(7); p = nullptr; return 0; }')
    if grep -q 'ERROR: LeakSanitizer: detected memory leaks' <<<"$out"; then
      echo "test: LeakSanitizer works here"
      leaks=1
    elif [[ "${OPENIOKIT_ALLOW_NO_LSAN:-}" == 1 ]]; then
      echo "test: WARNING: LeakSanitizer does not work in this environment; running WITHOUT leak" \
           "detection because OPENIOKIT_ALLOW_NO_LSAN=1. Probe output:" >&2
      printf '%s\n' "$out" >&2
      leaks=0
    else
      echo "test: LeakSanitizer does not work in this environment (ptrace? seccomp?). Probe output:" >&2
      printf '%s\n' "$out" >&2
      echo "test: set OPENIOKIT_ALLOW_NO_LSAN=1 to run the ASan suite without leak detection." >&2
      exit 1
    fi
    export ASAN_OPTIONS="detect_leaks=$leaks:abort_on_error=1:halt_on_error=1:log_path=$logdir/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logdir/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
    ;;
  tsan)
    # g++ 12's TSan cannot cope with the high mmap entropy of some recent kernels
    # ("FATAL: ThreadSanitizer: unexpected memory mapping"); running without ASLR fixes that.
    src='#include <thread>
         int x; int main() { std::thread t([] { x = 1; }); t.join(); return x - 1; }'
    out=$(probe -fsanitize=thread "$src")
    if grep -q 'ThreadSanitizer' <<<"$out"; then
      out2=$(probe -fsanitize=thread "$src" setarch "$(uname -m)" -R)
      if grep -q 'ThreadSanitizer' <<<"$out2"; then
        echo "test: ThreadSanitizer does not work in this environment. Probe output:" >&2
        printf '%s\n' "$out" >&2
        exit 1
      fi
      echo "test: ThreadSanitizer needs ASLR off here; building and testing under setarch -R"
      wrapper=(setarch "$(uname -m)" -R)
    fi
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$logdir/tsan${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
    ;;
esac

"${wrapper[@]}" scripts/build.sh "$preset"

rm -rf "$logdir" "$builddir/Testing/Temporary/LastTest.log"
mkdir -p "$logdir"
echo "test: ctest --preset $preset -j$(nproc) $*"
status=0
"${wrapper[@]}" ctest --preset "$preset" -j "$(nproc)" "$@" || status=$?

shopt -s nullglob
reports=("$logdir"/*)
if ((${#reports[@]} > 0)); then
  for f in "${reports[@]}"; do
    echo "===== sanitizer report: ${f#"$root"/}"
    cat "$f"
  done
  echo "test: FAILED: ${#reports[@]} sanitizer report(s) in $builddir/sanitizer-logs/" >&2
  ((status != 0)) || status=1
fi
# With g++, UBSan combined with ASan ignores log_path and reports on stderr; ctest keeps every
# test's output (children's included, unless redirected) in LastTest.log, so look there too.
lasttest="$builddir/Testing/Temporary/LastTest.log"
pattern=': runtime error: |ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|WARNING: ThreadSanitizer'
if [[ "$preset" != default && -f "$lasttest" ]] && grep -Eq "$pattern" "$lasttest"; then
  echo "===== sanitizer reports in test output ($lasttest):"
  grep -En "$pattern" "$lasttest" | head -n 50
  echo "test: FAILED: sanitizer report(s) in the tests' output" >&2
  ((status != 0)) || status=1
fi
if ((status != 0)); then
  echo "test: FAILED (preset $preset, exit $status)" >&2
else
  echo "test: passed (preset $preset)"
fi
exit "$status"
