// Networking per container: the policy's `network` mode, the bridges,
// dnsmasq and nftables rules `ctopbroker setup` makes, and what a spawn
// attaches a container to.
//
//   none      loopback only (no interface but lo)
//   internet  eth0 on bridge ctop-inet: DHCP and DNS from the bridge's
//             dnsmasq, NAT to the outside; the LAN, link-local, the host's
//             other services and every other container are dropped
//   lan       eth0 on bridge ctop-lan: the same, plus the private ranges
//
// The mode is the bridge: the firewall matches interfaces, never addresses a
// container chose, so nothing a container does inside changes its mode.
// IPv6 is off on both bridges and dropped from them.
#pragma once

#include "container.hpp"
#include "network_mode.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctop::net {

struct Bridge {
    const char* name;     // the host interface
    const char* gateway;  // its address: the containers' router, DNS and DHCP server
    const char* subnet;   // gateway's /24
    const char* range;    // dnsmasq's dhcp-range
};
// The bridge of `mode` (Internet or Lan).
const Bridge& bridge_of(Mode mode);
// Both bridges' subnets: what the firewall calls "containers".
inline constexpr const char* containers_subnet = "10.213.0.0/23";

// Where setup keeps dnsmasq's pid file, leases and `hosts` (extra names the
// containers resolve): $CTOPBROKER_NET_DIR or /run/ctopbroker-net.
std::filesystem::path state_dir();

// The container's eth0 MAC and host-side veth name: derived from its name and
// lxcpath, so every spawn (and `list`) gets the same ones.
std::string mac_address(const std::string& container, const std::filesystem::path& lxcpath);
std::string veth_name(const std::string& container, const std::filesystem::path& lxcpath);

// What to write into the container's config before it starts. Throws with
// the fix (`ctopbroker setup`) when the mode's bridge or dnsmasq is missing.
containers::NetworkSpec attachment(const std::string& container, const std::filesystem::path& lxcpath, Mode mode);

// The IPv4 address dnsmasq leased to the container, checked to be one of the
// mode's bridge's (the lease file holds what a container asked for).
std::optional<std::string> leased_address(const std::string& container, const std::filesystem::path& lxcpath,
                                          Mode mode);

// `ctopbroker setup`: the bridges, IPv4 forwarding, the nftables tables, dnsmasq;
// with users, their /etc/lxc/lxc-usernet entries (lxc-user-nic). Root only,
// idempotent; prints each change. Returns an exit status.
int setup_network(const std::vector<std::string>& users);

// What setup (and `setup --boot`, after a reboot) brings up, as any user can
// see it: empty when both bridges exist and dnsmasq runs, else what is missing.
std::string missing_network();

// `ctopbroker setup --remove-user`: the users' lxc-usernet entries go (and
// those of users that no longer exist), and their ports leave the rules.
int remove_user_network(const std::vector<std::string>& users);

// `ctopbroker network NAME`: the mode, address and the live rules that apply.
int show_network(const std::string& container, Mode mode, const std::filesystem::path& lxcpath);

}  // namespace ctop::net
