// ContainerPolicy: what one container may do, kept in
// $XDG_CONFIG_HOME/ctopbroker/containers/NAME.toml and written atomically.
// A missing file means the defaults: the internet (no LAN, no host, no
// other container), no microphone, clipboard only by explicit user action,
// the stock Wayland allow-list.
#pragma once

#include "network_mode.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ctop {

struct Share {
    std::filesystem::path host;  // host directory
    std::string path;            // where it appears inside the container
    bool read_only = true;
};

// What is wrong with a policy value: its key ("memory", "clipboard.mime")
// and why.
struct PolicyProblem {
    std::string key;
    std::string why;
};

struct ContainerPolicy {
    // Wide bounds: they keep out what cannot work (a container without the
    // memory to start, a limit that overflows), no more.
    static constexpr std::uint64_t min_memory_bytes = 64ull << 20;  // a shell and a small app
    static constexpr std::uint64_t max_memory_bytes = 64ull << 40;
    static constexpr std::int64_t min_pids = 8;        // its init, a shell and an app at least
    static constexpr std::int64_t max_pids = 4194304;  // the kernel's PID_MAX_LIMIT
    static constexpr std::uint64_t max_clipboard_bytes = 1ull << 30;

    std::string name;
    std::string color;  // "#rrggbb"; empty: derived from the name
    std::string template_name = "minimal";
    net::Mode network = net::Mode::Internet;  // "none", "internet" or "lan"; applied at every start
    std::optional<std::uint64_t> memory_bytes;
    std::optional<std::uint32_t> pids;
    std::optional<std::uint32_t> cpu_weight;  // 1-10000, cgroup v2 scale (100: an ordinary process group)
    bool clipboard_import = true;             // may receive the broker's buffer (Super+Shift+V)
    bool clipboard_export = true;             // may be copied from (Super+Shift+C)
    std::uint64_t clipboard_max_bytes = 64ull << 20;
    std::uint64_t incoming_max_bytes = 1ull << 30;  // the most `ctopbroker copy` brings into it at once
    std::vector<std::string> clipboard_mime = {
        "text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT", "STRING", "image/png"};
    bool mic = false;
    bool audio = true;
    bool x11 = true;         // an Xwayland of its own, started on its first X client
    bool fullscreen = true;  // its windows may go fullscreen (the bar stays visible)
    // Desktop mode (`spawn NAME --desktop`): a shell command line run on a
    // nested X server that fills the container's workspace; empty: none.
    std::string desktop;
    static constexpr std::size_t max_desktop_bytes = 1024;
    std::set<std::string> extra_globals;  // non-privileged interfaces beyond the allow-list
    // Host devices, none by default; found and passed in at every start.
    bool gpu = false;                  // the render nodes (/dev/dri/renderD*), never the KMS card
    bool camera = false;               // /dev/video*
    std::vector<std::string> usb;      // "vvvv:pppp": that USB device's /dev/bus/usb node
    std::vector<std::string> devices;  // "/dev/..." character or block devices by path
    std::vector<Share> shares;

    // The first value out of range, if any: `create` refuses what a load
    // would refuse, before anything is written.
    std::optional<PolicyProblem> check() const;
    // Throws std::runtime_error "FILE:LINE: KEY: why" for a syntax error, an
    // unknown key, a value of the wrong type or out of range.
    static ContainerPolicy load(const std::string& name, const std::filesystem::path& file);
    static ContainerPolicy load_or_default(const std::string& name, const std::filesystem::path& file);
    std::string to_toml() const;
    void save(const std::filesystem::path& file) const;  // atomic
};

// What a new container gets unless its creator says otherwise: room for a
// browser, but a fork bomb stops at `pids`, a memory hog at `memory_bytes`
// (half the host's RAM, at most 4 GiB), and a CPU hog weighs half what the
// session's own processes do.
struct DefaultLimits {
    std::uint64_t memory_bytes;
    std::uint32_t pids = 4096;
    std::uint32_t cpu_weight = 50;
};
DefaultLimits default_limits();
// Fills the limits `policy` leaves unset with default_limits().
void apply_default_limits(ContainerPolicy& policy);

// "512M", "4g", "1.5G", "2GiB", "1048576" → bytes (units are powers of 1024,
// in either case); nullopt when malformed (a sign, a space, an unknown unit)
// or too large for 64 bits.
std::optional<std::uint64_t> parse_size(const std::string& text);
// "4G", "512M", or bytes: the shortest exact way to write it back.
std::string size_text(std::uint64_t bytes);

// HOST:PATH[:ro|rw] → a Share; throws std::invalid_argument saying what is wrong.
Share parse_share(const std::string& spec);

// The keys `ctopbroker set` and `get` know ("memory", "clipboard.mime", ...), in
// the order `get` prints them.
const std::vector<std::string>& policy_keys();
// Sets `key` from the text a user typed (`memory=1.5G`, `mic=true`,
// `clipboard.mime=image/png,text/plain`). The value is checked as a load
// would check it; throws std::invalid_argument "KEY: why, with the fix".
void set_policy_value(ContainerPolicy& policy, const std::string& key, const std::string& value);
// The value of `key` in the form set_policy_value takes back.
std::string policy_value(const ContainerPolicy& policy, const std::string& key);

}  // namespace ctop
