#!/usr/bin/env bash
# The demo: a ctopbroker session with two container workspaces and a real
# client in each. Nested in your session when one is running (close the
# window or press Super+Shift+E to end it); otherwise headless, writing
# demo.png (the workspaces side by side) and exiting.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
out=$PWD/demo.png

nested=0
if [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${DISPLAY:-}" ]; then nested=1; fi

if [ $nested -eq 0 ]; then
  # A private runtime dir, so the demo never meets another session.
  XDG_RUNTIME_DIR=$(mktemp -d /tmp/ctopbroker-demo-XXXXXX)
  export XDG_RUNTIME_DIR
  chmod 700 "$XDG_RUNTIME_DIR"
  trap '"$bin" quit >/dev/null 2>&1 || true; sleep 0.5; rm -rf "$XDG_RUNTIME_DIR"' EXIT
  "$bin" session --headless >"$XDG_RUNTIME_DIR/session.log" 2>&1 &
else
  "$bin" session >/tmp/ctopbroker-demo-session.log 2>&1 &
fi
session=$!

for _ in $(seq 100); do "$bin" status >/dev/null 2>&1 && break; sleep 0.1; done
"$bin" status >/dev/null || { echo "the session did not start; see its log" >&2; exit 1; }
host_display=$("$bin" status --json | sed -n 's/.*"wayland_display": "\(.*\)".*/\1/p')

# Two containers, each with its own private socket, workspace and colour.
# As root they are real LXC containers (in a throw-away lxcpath); otherwise
# tagged sockets stand in for them.
if [ "$(id -u)" -eq 0 ]; then
  CTOPBROKER_LXCPATH=$(mktemp -d /var/tmp/ctopbroker-demo-lxc-XXXXXX)
  chmod o+x "$CTOPBROKER_LXCPATH"  # unprivileged containers' root must pass through it
  export CTOPBROKER_LXCPATH
  cleanup_lxc() {
    for c in work web; do "$bin" destroy --force $c >/dev/null 2>&1 || true; done
    rm -rf "$CTOPBROKER_LXCPATH"
  }
  trap 'cleanup_lxc; "$bin" quit >/dev/null 2>&1 || true; sleep 0.5; [ $nested -eq 1 ] || rm -rf "$XDG_RUNTIME_DIR"' EXIT
  "$bin" create work --network none --color '#e6194b'
  "$bin" create web --color '#3cb44b'
  "$bin" spawn work -- foot sh -c 'echo "I run in the container named work"; sleep 600'
  "$bin" spawn web -- weston-simple-shm
  # Each has its own PipeWire, reaching the host as one labelled stream.
  "$bin" audio work || true
else
  echo "(not root: tagged sockets stand in for LXC containers)"
  work=$("$bin" socket work)
  web=$("$bin" socket web)
  WAYLAND_DISPLAY=$work foot sh -c 'echo "I run in the context named work"; sleep 600' >/dev/null 2>&1 &
  WAYLAND_DISPLAY=$web weston-simple-shm >/dev/null 2>&1 &
fi
for _ in $(seq 100); do [ "$("$bin" views | wc -l)" -ge 2 ] && break; sleep 0.1; done
"$bin" views

if [ $nested -eq 1 ]; then
  "$bin" workspace 2
  echo "ctopbroker is running in a window: Super+1..3 switch workspaces, Super+Shift+E quits."
  wait $session
  exit 0
fi

shots=()
for slot in 2 3; do
  "$bin" workspace $slot
  sleep 0.3
  WAYLAND_DISPLAY=$host_display grim "$XDG_RUNTIME_DIR/ws$slot.png"
  shots+=("$XDG_RUNTIME_DIR/ws$slot.png")
done
convert "${shots[@]}" -bordercolor '#202020' -border 8 +append "$out"
"$bin" status
echo "wrote $out"
