#!/usr/bin/env bash
# Usage: scripts/build.sh [default|asan|tsan]
# Configures and builds one CMake preset (CMakePresets.json) with Ninja on all cores:
#   default -> build/       RelWithDebInfo
#   asan    -> build-asan/  ASan + UBSan, -O1 -g
#   tsan    -> build-tsan/  TSan, -O1 -g
# Does not install dependencies; scripts/demo.sh and scripts/test.sh do.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

preset=${1:-default}
case "$preset" in
  default|asan|tsan) ;;
  *) echo "usage: $0 [default|asan|tsan]" >&2; exit 2 ;;
esac

echo "build: configure preset '$preset'"
cmake --preset "$preset" >/dev/null
echo "build: build preset '$preset' (-j$(nproc))"
cmake --build --preset "$preset" --parallel "$(nproc)"
