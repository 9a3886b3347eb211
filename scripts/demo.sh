#!/usr/bin/env bash
# The main job: install dependencies, build (preset 'default' into build/), run the demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
scripts/build.sh default
echo "demo: build/examples/libkern-tour/libkern-tour"
exec build/examples/libkern-tour/libkern-tour
