#!/usr/bin/env bash
# Installs the Debian 12 packages OpenIOKit needs to build and test. Idempotent: when every
# package is already installed it does nothing (no apt-get update either).
set -euo pipefail

PACKAGES=(
  g++               # compiler (g++ 12, C++23 mode)
  cmake             # build system (3.25)
  ninja-build       # fast parallel builds
  ccache            # compiler cache for rebuilds
  pkg-config        # locating libplist
  libgtest-dev      # GoogleTest
  libgmock-dev      # GoogleMock
  libbenchmark-dev  # Google Benchmark (bench/)
  libplist-dev      # Info.plist / plist archives, XML and binary (C API)
  libplist++-dev    # ... C++ API
  libcli11-dev      # tool argument parsing (kextload, kextstat, ioreg ...)
  libfmt-dev        # tool output formatting
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present, nothing to do"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: not root and sudo not found; install as root: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: missing: ${missing[*]}"
echo "install-deps: apt-get update"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
echo "install-deps: apt-get install -y --no-install-recommends ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
