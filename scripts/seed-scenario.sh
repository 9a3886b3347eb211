#!/usr/bin/env bash
# Usage: scripts/seed-scenario.sh [BUILD_DIR]   (default build/)
# The seed question's scenario end to end, with real processes (docs/demo.md): iokitd in a fresh
# temp state dir, a simulated device, the com.osxkernel.driver kext, three osxkernel-clientd
# daemons; kextunload is refused while they are connected (R1); the driver leaves by itself
# after the last one goes and the kext autounloads (R2); then a hot-unplug with clients
# connected (R3). Prints a timeline (each step, the kernel log lines it caused, ✓/✗) and exits
# non-zero if any step misbehaved. Needs root, as kextload/kextunload do on macOS.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD=$(realpath "${1:-build}")
TOOLS=$BUILD/tools
IOKITD=$BUILD/src/daemon/iokitd
CLIENTD=$BUILD/examples/osxkernel-clientd/osxkernel-clientd
DRIVER_KEXT=$BUILD/kexts/com_osxkernel_driver.kext
SIMBUS_KEXT=$BUILD/kexts/SimBus.kext
BUNDLE=com.osxkernel.driver
AUTOUNLOAD_DELAY=2   # seconds; xnu uses 60
WAIT=20              # seconds any single condition may take before the step fails

for f in "$IOKITD" "$CLIENTD" "$TOOLS/kextload" "$TOOLS/kextunload" "$TOOLS/kextstat" "$TOOLS/kernlog" \
         "$TOOLS/ioclasscount" "$TOOLS/simbusctl" "$DRIVER_KEXT" "$SIMBUS_KEXT"; do
  [[ -e $f ]] || { echo "seed-scenario: $f is missing; build first (scripts/build.sh default)" >&2; exit 2; }
done
if [[ $(id -u) -ne 0 ]]; then
  echo "seed-scenario: must run as root (kextload, kextunload and simbusctl plug need it, as on macOS)" >&2
  exit 77
fi

STATE=$(mktemp -d "${TMPDIR:-/tmp}/openiokit-demo.XXXXXX")
export OPENIOKIT_SOCKET=$STATE/iokitd.sock
DAEMON_PID=""
declare -A CLIENT_PID=()
FAILURES=0
START_NS=$(date +%s%N)

if [[ -t 1 ]]; then GREEN=$'\e[32m' RED=$'\e[31m' BOLD=$'\e[1m' DIM=$'\e[2m' OFF=$'\e[0m'
else GREEN="" RED="" BOLD="" DIM="" OFF=""; fi

# Everything this script started is stopped on exit, success or not.
cleanup() {
  local pid
  for pid in "${CLIENT_PID[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for pid in "${CLIENT_PID[@]}"; do wait "$pid" 2>/dev/null; done
  if [[ -n $DAEMON_PID ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -TERM "$DAEMON_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
  fi
  rm -rf "$STATE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- timeline ------------------------------------------------------------------------------------
elapsed() { printf '%6.2fs' "$(( ($(date +%s%N) - START_NS) / 1000000 ))e-3"; }
MARK=0
last_seq() { "$TOOLS/kernlog" --sequence --raw 2>/dev/null | tail -n1 | awk '{print $1+0}'; }
step() {
  echo
  echo "${BOLD}[$(elapsed)] $*${OFF}"
  MARK=$(last_seq); MARK=${MARK:-0}
}
say() { echo "    $*"; }
# The kernel log lines since the step began (module: text, time of day).
kernel_lines() {
  "$TOOLS/kernlog" --since $((MARK + 1)) 2>/dev/null | sed -E "s/^[0-9-]+ ([0-9:.]+) /${DIM}    kernel [\\1] /; s/\$/${OFF}/"
}
ok() { echo "    ${GREEN}✓ $*${OFF}"; }
bad() { echo "    ${RED}✗ $*${OFF}"; FAILURES=$((FAILURES + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# After a step the rest depends on: stop at its first failure (the later steps could only wait
# out their timeouts) and show iokitd's log.
require() {
  ((FAILURES == 0)) && return
  echo "${RED}${BOLD}seed scenario: stopped after step \"$1\" failed ($(elapsed)); iokitd's log:${OFF}"
  sed 's/^/    /' "$STATE/iokitd.log" | tail -n 40
  exit 1
}

# Polls until the command succeeds, for at most $WAIT seconds.
eventually() {
  local deadline=$((SECONDS + WAIT))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

count() { "$TOOLS/ioclasscount" "$1" 2>/dev/null | awk -F' = ' '{print $2+0}' | head -n1; }
count_is() { local n; n=$(count "$1"); [[ ${n:-0} == "${2:-0}" ]]; }
kext_loaded() { "$TOOLS/kextstat" -l -b "$BUNDLE" | grep -q "$BUNDLE"; }
kext_unloaded() { ! kext_loaded; }
kextstat_row() { "$TOOLS/kextstat" -l -b "$BUNDLE" | sed 's/^/      /'; [[ -n $("$TOOLS/kextstat" -l -b "$BUNDLE") ]] || say "  (no row: $BUNDLE is not loaded)"; }

client_log() { echo "$STATE/$1.log"; }
client_lines() { local n; n=$(grep -c -E " $2" "$(client_log "$1")" 2>/dev/null); echo "${n:-0}"; }
client_has() { grep -q -E " $2" "$(client_log "$1")" 2>/dev/null; }
start_client() {
  local name=$1; shift
  "$CLIENTD" --name "$name" "$@" >"$(client_log "$name")" 2>&1 &
  CLIENT_PID[$name]=$!
}
# Waits until client $1 has made at least $2 successful calls in total.
calls_reach() { (( $(client_lines "$1" 'call selector') >= $2 )); }
client_exited() { ! kill -0 "${CLIENT_PID[$1]}" 2>/dev/null; }
show_client() { grep -E " ($2)" "$(client_log "$1")" | tail -n "${3:-3}" | sed "s/^/    /"; }

# --- 1. the machine --------------------------------------------------------------------------------
step "1. start iokitd (state dir $STATE, autounload delay ${AUTOUNLOAD_DELAY}s)"
"$IOKITD" --foreground --state-dir "$STATE" --autounload-delay "$AUTOUNLOAD_DELAY" \
  --extensions "$BUILD/kexts" >"$STATE/iokitd.log" 2>&1 &
DAEMON_PID=$!
daemon_up() { "$TOOLS/kextstat" -l -b none >/dev/null 2>&1; }
check "iokitd answers on $OPENIOKIT_SOCKET (pid $DAEMON_PID)" eventually daemon_up
require 1

step "2. load the simulated bus, plug a device the driver matches"
say "\$ kextload SimBus.kext && simbusctl plug dev0 osxkernel-device=true"
"$TOOLS/kextload" "$SIMBUS_KEXT" && "$TOOLS/simbusctl" plug dev0 osxkernel-device=true | sed 's/^/    /'
kernel_lines
check "IOSimDevice dev0 is registered" count_is IOSimDevice 1
require 2

step "3. load the driver"
say "\$ kextload $(basename "$DRIVER_KEXT")"
"$TOOLS/kextload" "$DRIVER_KEXT"
check "com_osxkernel_driver attached to dev0" eventually count_is com_osxkernel_driver 1
kernel_lines
require 3

# --- R1 --------------------------------------------------------------------------------------------
step "4. start three client daemons (osxkernel-clientd)"
for c in client1 client2 client3; do start_client "$c" --interval 100; done
for c in client1 client2 client3; do
  check "$c opened the driver and calls it" eventually calls_reach "$c" 2
done
check "three user clients exist" eventually count_is com_osxkernel_driverClient 3
say "kextstat (Refs counts the clients' kext retains):"; kextstat_row
kernel_lines
require 4

step "5. R1: root's kextunload while clients are connected"
say "\$ kextunload -b $BUNDLE"
before=()
for c in client1 client2 client3; do before+=("$(client_lines "$c" 'call selector')"); done
output=$("$TOOLS/kextunload" -b "$BUNDLE" 2>&1); status=$?
say "  $output"
say "  exit status $status"
kernel_lines
check "refused with exit 3 (kOSKextReturnInUse, as xnu's kextunload)" test "$status" -eq 3
check "message says the kext is in use or retained" grep -q "kext is in use or retained" <<<"$output"
check "nothing was terminated (no terminate/stop in the kernel log)" \
  bash -c "! '$TOOLS/kernlog' --since $((MARK + 1)) --raw | grep -qE '::(terminate|stop)\\('"
check "driver and its three clients still exist" eval 'count_is com_osxkernel_driver 1 && count_is com_osxkernel_driverClient 3'
i=0
for c in client1 client2 client3; do
  check "$c keeps working (its next calls succeed)" eventually calls_reach "$c" $((before[i] + 2))
  i=$((i + 1))
done

# --- R2 --------------------------------------------------------------------------------------------
step "6. R2: client1 closes (SIGTERM → IOServiceClose)"
kill -TERM "${CLIENT_PID[client1]}"
check "client1 closed and exited" eventually client_exited client1
wait "${CLIENT_PID[client1]}"; status=$?
show_client client1 "closed|exit"
check "client1 exit status 0" test "$status" -eq 0
check "two user clients left; the driver stays" eventually eval 'count_is com_osxkernel_driverClient 2 && count_is com_osxkernel_driver 1'
kernel_lines

step "7. R2: client2 dies (kill -9: no IOServiceClose, the connection's death closes it)"
kill -KILL "${CLIENT_PID[client2]}"
wait "${CLIENT_PID[client2]}" 2>/dev/null
check "one user client left; the driver stays" eventually eval 'count_is com_osxkernel_driverClient 1 && count_is com_osxkernel_driver 1'
n=$(client_lines client3 'call selector')
check "client3 keeps working" eventually calls_reach client3 $((n + 2))
kernel_lines

step "8. R2: client3, the last one, closes → the driver terminates itself, the kext autounloads"
say "kextstat before:"; kextstat_row
kill -TERM "${CLIENT_PID[client3]}"
check "client3 closed and exited" eventually client_exited client3
wait "${CLIENT_PID[client3]}"
check "driver and user clients gone (ioclasscount 0)" eventually eval 'count_is com_osxkernel_driver 0 && count_is com_osxkernel_driverClient 0'
check "the kext is still loaded right after (autounload waits ${AUTOUNLOAD_DELAY}s)" kext_loaded
unload_start=$SECONDS
check "the kext unloaded by itself, no kextunload" eventually kext_unloaded
say "kextstat after (~$((SECONDS - unload_start))s later):"; kextstat_row
kernel_lines

# --- R3 --------------------------------------------------------------------------------------------
step "9. R3: load the driver again (the device comes back), three clients with a pending \"wait for event\", one interrupt"
# Autounload kept the personalities in the catalogue (as xnu does), so loading the kext again
# adds none and starts no matching on the old nub; a newly plugged nub matches them.
say "\$ kextload $(basename "$DRIVER_KEXT") && simbusctl unplug dev0 && simbusctl plug dev0 osxkernel-device=true"
"$TOOLS/kextload" "$DRIVER_KEXT" && "$TOOLS/simbusctl" unplug dev0 && "$TOOLS/simbusctl" plug dev0 osxkernel-device=true | sed 's/^/    /'
check "com_osxkernel_driver attached to dev0 again" eventually count_is com_osxkernel_driver 1
for c in client4 client5 client6; do start_client "$c" --interval 200 --wait-events; done
for c in client4 client5 client6; do check "$c connected with a wait pending" eventually client_has "$c" wait-armed; done
say "\$ simbusctl trigger dev0"
"$TOOLS/simbusctl" trigger dev0
for c in client4 client5 client6; do check "$c's wait completed by the device interrupt" eventually client_has "$c" 'event count'; done
kernel_lines

step "10. R3: hot-unplug dev0 with the clients connected and waits pending"
say "\$ simbusctl unplug dev0"
t0=$(date +%s%N)
timeout "$WAIT" "$TOOLS/simbusctl" unplug dev0; status=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "unplug returned (status $status) in ${ms} ms: the driver stopped, nothing hung" test "$status" -eq 0
check "driver gone at once (ioclasscount 0)" count_is com_osxkernel_driver 0
for c in client4 client5 client6; do
  check "$c was told (kIOMessageServiceIsTerminated), its wait aborted, it closed and waits again" \
    eventually eval "client_has $c 'message type=kIOMessageServiceIsTerminated' && client_has $c event-aborted && client_has $c 'closed .*why=terminated' && (( \$(client_lines $c waiting) >= 2 ))"
done
show_client client4 "message|event-aborted|closed|waiting" 4
kernel_lines

step "11. R3: re-plug dev0 → the driver matches again and the waiting daemons reconnect"
before4=$(client_lines client4 opened)
say "\$ kextload $(basename "$DRIVER_KEXT") (already loaded unless it autounloaded meanwhile) && simbusctl plug dev0 osxkernel-device=true"
"$TOOLS/kextload" "$DRIVER_KEXT" && "$TOOLS/simbusctl" plug dev0 osxkernel-device=true | sed 's/^/    /'
check "com_osxkernel_driver attached to the new dev0" eventually count_is com_osxkernel_driver 1
for c in client4 client5 client6; do
  check "$c reconnected by itself" eventually eval "(( \$(client_lines $c opened) >= 2 ))"
done
kernel_lines

step "12. the daemons leave; the driver follows and the kext autounloads"
for c in client4 client5 client6; do kill -TERM "${CLIENT_PID[$c]}"; done
for c in client4 client5 client6; do
  check "$c exited cleanly" eventually client_exited "$c"
  wait "${CLIENT_PID[$c]}" || bad "$c exit status $?"
done
check "driver gone and the kext unloaded by itself" eventually eval 'count_is com_osxkernel_driver 0 && kext_unloaded'
kernel_lines

echo
if ((FAILURES == 0)); then
  echo "${GREEN}${BOLD}seed scenario: every step behaved ($(elapsed))${OFF}"
  exit 0
fi
echo "${RED}${BOLD}seed scenario: $FAILURES check(s) failed ($(elapsed)); iokitd's log:${OFF}"
sed 's/^/    /' "$STATE/iokitd.log" | tail -n 40
exit 1
