#!/usr/bin/env bash
# The SDK as a driver team uses it (issue 9): install the default build to a temporary prefix,
# move the prefix (relocatable), build examples/out-of-tree against it with CMake, the client
# with a plain Makefile + pkg-config and the kext again by hand (c++ -shared + pkg-config + a
# hand-made bundle directory), then run: iokitd, kextload, the clients, kextunload, for both kexts.
# Usage: scripts/sdk-check.sh [BUILD_DIR]   (default build/; run scripts/build.sh first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
build=${1:-build}

work=$(mktemp -d /tmp/openiokit-sdk.XXXXXX)
daemon_pid=
cleanup() {
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "sdk-check: $*"; }

step "install $build -> $work/staging"
cmake --install "$build" --prefix "$work/staging" >/dev/null
mv "$work/staging" "$work/prefix"   # nothing may remember where it was installed
prefix=$work/prefix

step "cmake: examples/out-of-tree with CMAKE_PREFIX_PATH=$prefix"
cmake -S "$root/examples/out-of-tree" -B "$work/oot" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/oot" >/dev/null
test -f "$work/oot/HelloKext.kext/Contents/Info.plist"
test -f "$work/oot/HelloKext.kext/Contents/MacOS/HelloKext"

step "make: the client with pkg-config"
cp "$root/examples/out-of-tree/client/hello-client.c" "$root/examples/out-of-tree/client/Makefile" "$work/"
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" make -s -C "$work" hello-client

step "c++ -shared: the same kext by hand, with pkg-config and a hand-made bundle"
hand=$work/HandKext.kext/Contents
mkdir -p "$hand/MacOS"
# shellcheck disable=SC2046 # pkg-config's output is meant to be split
c++ -shared -fPIC "$root"/examples/out-of-tree/HelloKext/*.cpp -o "$hand/MacOS/HelloKext" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs openiokit-kext)
sed 's/com\.example\.HelloKext/com.example.HandKext/' "$work/oot/HelloKext.kext/Contents/Info.plist" > "$hand/Info.plist"

export OPENIOKIT_SOCKET=$work/state/iokitd.sock
mkdir -p "$work/state"
step "run: iokitd, kextload, clients, kextunload"
"$prefix/sbin/iokitd" --foreground --state-dir "$work/state" 2>"$work/iokitd.log" &
daemon_pid=$!
for _ in $(seq 1 200); do
  [[ -S "$OPENIOKIT_SOCKET" ]] && break
  sleep 0.05
done
"$prefix/sbin/kextload" "$work/oot/HelloKext.kext"
"$work/oot/hello-client"
"$work/hello-client"
"$prefix/sbin/kextunload" -b com.example.HelloKext
if "$prefix/sbin/kextstat" -l -b com.example.HelloKext | grep -q com.example.HelloKext; then
  echo "sdk-check: com.example.HelloKext still loaded after kextunload" >&2
  exit 1
fi
"$prefix/sbin/kextload" "$work/HandKext.kext"
"$work/hello-client"
"$prefix/sbin/kextunload" "$work/HandKext.kext"
step "ok"
