#!/usr/bin/env bash
# The README's first quick-start command: on a fresh Debian 12 machine, install the dependencies,
# build (preset 'default' into build/), then run the seed question's scenario end to end with
# real processes (scripts/seed-scenario.sh; docs/demo.md): iokitd in a temp state dir, a
# simulated device, the com.osxkernel.driver kext, three client daemons, kextunload refused,
# last close → the driver leaves and the kext autounloads, hot-unplug with clients connected.
# Exits non-zero if any step misbehaves. Needs root (sudo is used for the scenario if present).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
scripts/build.sh default
echo "demo: scripts/seed-scenario.sh build"
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then
  exec sudo scripts/seed-scenario.sh build
fi
exec scripts/seed-scenario.sh build
