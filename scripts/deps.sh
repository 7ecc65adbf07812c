#!/usr/bin/env bash
# Installs the Debian 12 packages ctopbroker needs to build, test and demo,
# skipping what is already there. Uses sudo when not run as root.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config g++ libwlroots-dev libwayland-dev wayland-protocols libinput-dev
  libxkbcommon-dev libpixman-1-dev libcairo2-dev libdrm-dev lxc lxc-dev libpipewire-0.3-dev
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libgtest-dev libpng-dev libacl1-dev libxcb1-dev
  # sd-bus: the containers' notification server (in the agent) and the session's relay to the host's daemon
  libsystemd-dev
  # fuzzing (tests/fuzz): clang with libFuzzer and the sanitizers' runtimes; the code's format (scripts/run format)
  clang-14 libclang-rt-14-dev clang-format-14
  # run: containers, fonts, Xwayland, audio
  # (networking: `ctopbroker setup` makes bridges with iproute2, rules with nftables, DHCP/DNS with dnsmasq;
  #  containers run busybox's udhcpc)
  iproute2 nftables dnsmasq-base
  # snapshots and clones: liblxc copies a rootfs with rsync; export/import: tar with zstd
  rsync zstd
  busybox-static uidmap debootstrap xwayland fonts-dejavu-core pipewire pipewire-bin pipewire-pulse wireplumber dbus
  # real clients the tests and the demo drive
  acl curl foot weston wl-clipboard grim wayland-utils x11-apps x11-utils xclip sox pulseaudio-utils imagemagick
  # desktop mode (tests/desktop_test.cpp): a nested X server and Xfce's window manager, panel and desktop
  xserver-xephyr xfwm4 xfce4-panel xfdesktop4 x11-xserver-utils
  # the default cursor theme; a GTK 4 app with a client-drawn title bar (tests/input_test.cpp)
  adwaita-icon-theme gtk-4-examples
  # the real-application suite (tests/apps_test.cpp) and its GTK4 / Qt6 probes (tests/apps/)
  firefox-esr chromium mousepad featherpad xterm libgtk-4-dev qt6-base-dev qt6-base-dev-tools qt6-wayland qtwayland5
  # layer-shell clients: the launcher (Super+D) and the tests' GTK panel (tests/layer_panel.py)
  fuzzel python3-gi gir1.2-gtk-3.0 gir1.2-gtklayershell-0.1
  # containers' notifications: the host's daemon (mako, started by the session when none runs; makoctl reads it
  # back with busctl), notify-send inside containers and gdbus, which watches a container's bus for the
  # signals that come back (tests/notify_test.cpp)
  mako-notifier libnotify-bin libglib2.0-bin
  # the Wayland Conformance Suite (tests/wlcs)
  wlcs
)

# Extra packages named on the command line (the benchmarks' comparison peers).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
