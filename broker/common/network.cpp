// Networking per container (see network.hpp): setup, attachment, leases.
#include "network.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

extern char** environ;

namespace ctop::net {
namespace fs = std::filesystem;

namespace {

constexpr Bridge internet_bridge{"ctop-inet", "10.213.0.1", "10.213.0.0/24", "10.213.0.10,10.213.0.250,1h"};
constexpr Bridge lan_bridge{"ctop-lan", "10.213.1.1", "10.213.1.0/24", "10.213.1.10,10.213.1.250,1h"};
constexpr const char* veth_prefix = "ctv-";  // every container's host end: the bridge table matches it

// The fix for a missing bridge, dnsmasq or rule table.
constexpr const char* setup_hint = "run `sudo ctopbroker setup` (once per boot)";

// FNV-1a: stable across runs and builds, unlike std::hash.
std::uint32_t fnv1a(const std::string& text)
{
    std::uint32_t h = 2166136261u;
    for (unsigned char c : text) h = (h ^ c) * 16777619u;
    return h;
}

// Starts argv (found in PATH or sbin) with the given stdio actions; throws
// naming the program and `install` when it cannot start.
pid_t spawn_tool(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* fa, const char* install)
{
    std::vector<std::string> args = argv;
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    // sbin is where nft, ip and dnsmasq live; a user's PATH may lack it.
    std::string path = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    std::vector<char*> env{path.data(), nullptr};
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, cargs[0], fa, nullptr, cargs.data(), env.data());
    if (rc != 0)
        throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc) +
                                 " (install it: scripts/deps.sh, or " + install + ")");
    return pid;
}

// Its exit status, or 128 + the signal that ended it.
int wait_status(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs argv, feeds it `input`, returns its exit status; its stdout lands in
// *out, stderr in *err.
int run(const std::vector<std::string>& argv, const std::string& input = "", std::string* out = nullptr,
        std::string* err = nullptr)
{
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC))
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    pid_t pid = -1;
    try {
        pid = spawn_tool(argv, &fa, "apt-get install nftables dnsmasq-base iproute2");
    } catch (...) {
        posix_spawn_file_actions_destroy(&fa);
        for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
        throw;
    }
    posix_spawn_file_actions_destroy(&fa);
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    // Inputs are small rule sets: written whole before reading (the pipe
    // holds 64 KiB). A tool that stops reading early (EPIPE) says why in its
    // exit status and stderr, which the caller reports: nothing to add here.
    signal(SIGPIPE, SIG_IGN);
    for (size_t done = 0; done < input.size();) {
        ssize_t n = write(in_pipe[1], input.data() + done, input.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
    close(in_pipe[1]);
    auto drain = [](int fd, std::string* to) {
        char buf[4096];
        for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0;) {
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) break;
            if (to) to->append(buf, static_cast<size_t>(n));
        }
        close(fd);
    };
    drain(out_pipe[0], out);  // the tools we run write little to stderr: no deadlock
    drain(err_pipe[0], err);
    return wait_status(pid);
}

// For a daemon (dnsmasq): its stdio goes to `log`, not to pipes the daemon
// would keep open after its parent returns.
int run_logged(const std::vector<std::string>& argv, const fs::path& log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    try {
        pid = spawn_tool(argv, &fa, "apt-get install dnsmasq-base");
    } catch (...) {
        posix_spawn_file_actions_destroy(&fa);
        throw;
    }
    posix_spawn_file_actions_destroy(&fa);
    return wait_status(pid);
}

void must(const std::vector<std::string>& argv, const std::string& input = "")
{
    std::string err;
    if (run(argv, input, nullptr, &err) != 0) {
        std::string cmd;
        for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
        throw std::runtime_error("`" + cmd + "` failed: " + err);
    }
}

bool interface_exists(const char* name)
{
    return if_nametoindex(name) != 0;
}

std::string read_small_file(const fs::path& file, size_t limit = 1 << 20)
{
    std::ifstream in(file, std::ios::binary);
    std::string text(limit, '\0');
    in.read(text.data(), static_cast<std::streamsize>(limit));
    text.resize(static_cast<size_t>(in.gcount()));
    return text;
}

bool write_proc(const fs::path& file, const std::string& value)
{
    std::ofstream out(file);
    out << value;
    return static_cast<bool>(out);
}

// The dnsmasq setup started, when it still runs.
std::optional<pid_t> running_dnsmasq()
{
    std::string text = read_small_file(state_dir() / "dnsmasq.pid", 64);
    pid_t pid = static_cast<pid_t>(std::atoi(text.c_str()));
    // A normal user's session may not signal root's dnsmasq (nobody): EPERM still says it is there.
    if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) return std::nullopt;
    // "PID (dnsmasq) S ...": its name, and not a zombie that was killed.
    std::string stat = read_small_file("/proc/" + std::to_string(pid) + "/stat", 256);
    if (stat.find("(dnsmasq) ") == std::string::npos || stat.find(") Z ") != std::string::npos) return std::nullopt;
    return pid;
}

// Is `address` a dotted IPv4 address inside `bridge`'s /24?
bool in_bridge(const std::string& address, const Bridge& bridge)
{
    in_addr a{}, net{};
    std::string subnet = bridge.subnet;
    if (inet_pton(AF_INET, address.c_str(), &a) != 1) return false;
    if (inet_pton(AF_INET, subnet.substr(0, subnet.find('/')).c_str(), &net) != 1) return false;
    return (ntohl(a.s_addr) & 0xffffff00u) == ntohl(net.s_addr) && address != bridge.gateway;
}

// The uids whose containers lxc-user-nic may attach to our bridges: the
// users /etc/lxc/lxc-usernet names with one of them (each `setup --user`).
std::vector<uid_t> usernet_uids()
{
    std::vector<uid_t> uids;
    std::istringstream in(read_small_file("/etc/lxc/lxc-usernet"));
    for (std::string l; std::getline(in, l);) {
        std::istringstream words(l);
        std::string user, type, link;
        words >> user >> type >> link;
        if (type != "veth" || (link != internet_bridge.name && link != lan_bridge.name)) continue;
        struct passwd* pw = getpwnam(user.c_str());
        if (pw && std::find(uids.begin(), uids.end(), pw->pw_uid) == uids.end()) uids.push_back(pw->pw_uid);
    }
    return uids;
}

// The rules. Containers are told apart from everything else by interface
// (the bridges and their veth ports), never by an address they could forge.
// Our root-made ports are ctv-*; lxc-user-nic names a user's veth<UID>_XXXX
// (bridge-family `meta ibrname` would say "any port of our bridges", but not
// every kernel has it: Debian's has it as a module, this project's CI not).
std::string ruleset(const std::vector<uid_t>& user_uids)
{
    std::string ports = "{ \"" + std::string(veth_prefix) + "*\"";
    for (uid_t uid : user_uids) ports += ", \"veth" + std::to_string(uid) + "_*\"";
    ports += " }";
    const std::string inet = internet_bridge.name, lan = lan_bridge.name;
    const std::string bridges = "{ \"" + inet + "\", \"" + lan + "\" }";
    std::ostringstream r;
    r << "table inet ctopbroker {\n"
      << "    # The private ranges: the LAN for `lan` containers, refused to `internet` ones.\n"
      << "    set lan_ranges { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 172.16.0.0/12, "
         "192.168.0.0/16, 100.64.0.0/10 } }\n"
      << "    # Refused to every container: this-network, loopback, link-local, multicast and reserved.\n"
      << "    set never { type ipv4_addr; flags interval; elements = { 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, "
         "224.0.0.0/3 } }\n"
      << "    chain input {\n"
      << "        type filter hook input priority filter - 10; policy accept;\n"
      << "        iifname " << bridges << " jump container_to_host\n"
      << "    }\n"
      << "    # The host offers containers DHCP and DNS on the bridge's own address, nothing else.\n"
      << "    chain container_to_host {\n"
      << "        meta nfproto ipv6 drop\n"
      << "        ct state established,related accept\n"  // replies to what the host started
      << "        udp sport 68 udp dport 67 accept\n"
      << "        iifname \"" << inet << "\" ip daddr " << internet_bridge.gateway
      << " meta l4proto { tcp, udp } "
         "th dport 53 accept\n"
      << "        iifname \"" << lan << "\" ip daddr " << lan_bridge.gateway
      << " meta l4proto { tcp, udp } "
         "th dport 53 accept\n"
      << "        drop\n"
      << "    }\n"
      << "    chain forward {\n"
      << "        type filter hook forward priority filter - 10; policy accept;\n"
      << "        iifname " << bridges << " jump from_container\n"
      << "        oifname " << bridges << " ct state established,related accept\n"
      << "        oifname " << bridges << " drop\n"
      << "    }\n"
      << "    chain from_container {\n"
      << "        meta nfproto ipv6 drop\n"
      << "        iifname \"" << inet << "\" ip saddr != " << internet_bridge.subnet << " drop\n"
      << "        iifname \"" << lan << "\" ip saddr != " << lan_bridge.subnet << " drop\n"
      << "        oifname " << bridges << " drop\n"
      << "        ip daddr @never drop\n"
      << "        iifname \"" << inet << "\" ip daddr @lan_ranges drop\n"
      << "        accept\n"
      << "    }\n"
      << "    chain postrouting {\n"
      << "        type nat hook postrouting priority srcnat; policy accept;\n"
      << "        ip saddr " << containers_subnet << " oifname != " << bridges << " masquerade\n"
      << "    }\n"
      << "}\n"
      // Two containers on one bridge talk without the host routing a packet:
      // the bridge itself drops every frame from one port to another.
      << "table bridge ctopbroker {\n"
      << "    chain forward {\n"
      << "        type filter hook forward priority filter - 10; policy accept;\n"
      << "        iifname " << ports << " drop\n"
      << "        oifname " << ports << " drop\n"
      << "    }\n"
      << "}\n";
    return r.str();
}

std::string live_rules()
{
    std::string out, more;
    run({"nft", "list", "table", "inet", "ctopbroker"}, "", &out);
    run({"nft", "list", "table", "bridge", "ctopbroker"}, "", &more);
    return out + more;
}

void say(const std::string& what)
{
    std::printf("setup: %s\n", what.c_str());
}

// Each step checks first and changes only what is missing.
bool ensure_bridge(const Bridge& b)
{
    bool created = false;
    if (!interface_exists(b.name)) {
        must({"ip", "link", "add", b.name, "type", "bridge"});
        say(std::string("created bridge ") + b.name);
        created = true;
    }
    // No IPv6 on the bridge: no link-local address containers could reach the host by.
    fs::path v6 = fs::path("/proc/sys/net/ipv6/conf") / b.name / "disable_ipv6";
    if (fs::exists(v6) && read_small_file(v6, 8).rfind("1", 0) != 0) {
        if (!write_proc(v6, "1")) throw std::runtime_error("cannot write " + v6.string());
        say(std::string("IPv6 off on ") + b.name);
    }
    std::string addrs;
    run({"ip", "-4", "-o", "addr", "show", "dev", b.name}, "", &addrs);
    std::string mine = std::string(" ") + b.gateway + "/24 ";
    if (addrs.find(mine) == std::string::npos) {
        must({"ip", "addr", "add", std::string(b.gateway) + "/24", "dev", b.name});
        say(std::string("address ") + b.gateway + "/24 on " + b.name);
    }
    std::string link;
    run({"ip", "-o", "link", "show", "dev", b.name}, "", &link);
    if (link.find(",UP") == std::string::npos && link.find("<UP") == std::string::npos) {
        must({"ip", "link", "set", b.name, "up"});
        say(std::string(b.name) + " up");
    }
    return created;
}

void ensure_forwarding()
{
    const fs::path f = "/proc/sys/net/ipv4/ip_forward";
    if (read_small_file(f, 8).rfind("1", 0) == 0) return;
    if (!write_proc(f, "1")) throw std::runtime_error("cannot write " + f.string());
    say("IPv4 forwarding on (net.ipv4.ip_forward = 1)");
}

void ensure_rules()
{
    std::string before = live_rules();
    // One transaction: the old tables go and the new ones come at once.
    std::string script = "table inet ctopbroker {}\ndelete table inet ctopbroker\n"
                         "table bridge ctopbroker {}\ndelete table bridge ctopbroker\n" +
                         ruleset(usernet_uids());
    must({"nft", "-f", "-"}, script);
    if (live_rules() != before) say("nftables tables inet ctopbroker and bridge ctopbroker installed");
}

void ensure_dnsmasq(bool restart)
{
    fs::create_directories(state_dir());
    // dnsmasq reads `hosts` again (SIGHUP) as nobody.
    fs::permissions(state_dir(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                     fs::perms::others_read | fs::perms::others_exec);
    const fs::path hosts = state_dir() / "hosts";
    if (!fs::exists(hosts)) std::ofstream(hosts) << "# names the containers resolve: ADDRESS NAME...\n";
    if (auto pid = running_dnsmasq()) {
        if (!restart) return;
        kill(*pid, SIGTERM);
        for (int i = 0; i < 100 && kill(*pid, 0) == 0; ++i) usleep(20000);
        say("stopped dnsmasq " + std::to_string(*pid) + " (a bridge was new)");
    }
    // Root's own dnsmasq options (upstream servers, local domains), read at start.
    const fs::path conf_dir = state_dir() / "dnsmasq.d";
    fs::create_directories(conf_dir);
    const fs::path leases = state_dir() / "leases";
    if (!fs::exists(leases)) std::ofstream{leases};
    std::vector<std::string> argv = {"dnsmasq",
                                     "--conf-file=/dev/null",  // nothing from /etc/dnsmasq.conf
                                     "--bind-interfaces",
                                     "--except-interface=lo",
                                     "--interface=" + std::string(internet_bridge.name),
                                     "--interface=" + std::string(lan_bridge.name),
                                     "--listen-address=" + std::string(internet_bridge.gateway),
                                     "--listen-address=" + std::string(lan_bridge.gateway),
                                     "--dhcp-range=" + std::string(internet_bridge.range),
                                     "--dhcp-range=" + std::string(lan_bridge.range),
                                     "--dhcp-authoritative",
                                     "--dhcp-no-override",
                                     "--dhcp-lease-max=500",
                                     "--dhcp-leasefile=" + leases.string(),
                                     "--pid-file=" + (state_dir() / "dnsmasq.pid").string(),
                                     "--no-hosts",  // the host's /etc/hosts is not the containers' business
                                     "--addn-hosts=" + hosts.string(),
                                     "--conf-dir=" + conf_dir.string() + ",*.conf",
                                     "--domain-needed",  // plain names and private reverse lookups stay here
                                     "--bogus-priv",
                                     "--user=nobody",
                                     "--group=nogroup"};
    const fs::path log = state_dir() / "dnsmasq.log";
    if (run_logged(argv, log) != 0) throw std::runtime_error("dnsmasq did not start: " + read_small_file(log, 4096));
    auto pid = running_dnsmasq();
    for (int i = 0; !pid && i < 100; ++i) {  // its pid file comes from the daemonized child
        usleep(20000);
        pid = running_dnsmasq();
    }
    if (!pid) throw std::runtime_error("dnsmasq started but is not running: see " + log.string());
    say("started dnsmasq (DHCP and DNS on " + std::string(internet_bridge.name) + " and " + lan_bridge.name +
        "), pid " + std::to_string(*pid));
}

const fs::path usernet_file = "/etc/lxc/lxc-usernet";

// The user of an lxc-usernet line that lets containers onto one of our
// bridges, or "" for any other line (root's own entries stay as they are).
std::string our_usernet_user(const std::string& line)
{
    std::istringstream words(line);
    std::string user, type, link;
    words >> user >> type >> link;
    if (user.empty() || user[0] == '#' || type != "veth") return "";
    return link == internet_bridge.name || link == lan_bridge.name ? user : "";
}

// Drops our lines whose user `drop` says; the file is replaced whole
// (lxc-user-nic reads it at any moment). Says what went.
void drop_usernet_lines(const std::function<bool(const std::string&)>& drop)
{
    if (!fs::exists(usernet_file)) return;
    std::istringstream in(read_small_file(usernet_file));
    std::string kept, dropped;
    for (std::string l; std::getline(in, l);) {
        std::string user = our_usernet_user(l);
        if (!user.empty() && drop(user)) dropped += (dropped.empty() ? "" : ", ") + l;
        else kept += l + "\n";
    }
    if (dropped.empty()) return;
    const fs::path tmp = usernet_file.string() + ".ctopbroker-tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << kept;
        if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::permissions(tmp,
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    fs::rename(tmp, usernet_file);
    say(usernet_file.string() + ": removed " + dropped);
}

void ensure_usernet(const std::string& user)
{
    std::string text = read_small_file(usernet_file);
    for (const Bridge* b : {&internet_bridge, &lan_bridge}) {
        std::string entry = user + " veth " + b->name + " 16";
        std::istringstream in(text);
        bool present = false;
        for (std::string l; std::getline(in, l);) {
            std::istringstream words(l);
            std::string u, type, link;
            words >> u >> type >> link;
            present |= u == user && type == "veth" && link == b->name;
        }
        if (present) continue;
        fs::create_directories(usernet_file.parent_path());
        std::ofstream(usernet_file, std::ios::app) << entry << "\n";
        text += entry + "\n";
        say(usernet_file.string() + ": " + entry + " (lxc-user-nic may attach " + user + "'s containers)");
    }
}

// Users deleted since their `setup --user` (e.g. by userdel) keep no entry.
void prune_usernet()
{
    drop_usernet_lines([](const std::string& user) { return getpwnam(user.c_str()) == nullptr; });
}

bool valid_user_name(const std::string& user)
{
    return !user.empty() && user.size() <= 32 &&
           user.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-.") == std::string::npos && user[0] != '-';
}

}  // namespace

const Bridge& bridge_of(Mode mode)
{
    return mode == Mode::Lan ? lan_bridge : internet_bridge;
}

fs::path state_dir()
{
    const char* dir = std::getenv("CTOPBROKER_NET_DIR");
    return dir && *dir ? fs::path(dir) : fs::path("/run/ctopbroker-net");
}

namespace {
std::uint32_t identity_hash(const std::string& container, const fs::path& lxcpath)
{
    return fnv1a(fs::absolute(lxcpath).lexically_normal().string() + "/" + container);
}
}  // namespace

std::string mac_address(const std::string& container, const fs::path& lxcpath)
{
    std::uint32_t h = identity_hash(container, lxcpath);
    char mac[18];
    std::snprintf(mac, sizeof mac, "00:16:3e:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
    return mac;
}

std::string veth_name(const std::string& container, const fs::path& lxcpath)
{
    char name[16];
    std::snprintf(name, sizeof name, "%s%08x", veth_prefix, identity_hash(container, lxcpath));
    return name;
}

containers::NetworkSpec attachment(const std::string& container, const fs::path& lxcpath, Mode mode)
{
    if (mode == Mode::None) return {};
    const Bridge& b = bridge_of(mode);
    const std::string policy = "container '" + container + "' has network = \"" + std::string(to_string(mode)) + "\"";
    if (!interface_exists(b.name))
        throw std::runtime_error(policy + ", but the bridge " + b.name + " does not exist: " + setup_hint +
                                 ", or `ctopbroker set " + container + " network=none`");
    if (!running_dnsmasq())
        throw std::runtime_error(policy + ", but no dnsmasq serves its bridge (" +
                                 (state_dir() / "dnsmasq.pid").string() + "): " + setup_hint);
    return {b.name, mac_address(container, lxcpath), veth_name(container, lxcpath)};
}

std::optional<std::string> leased_address(const std::string& container, const fs::path& lxcpath, Mode mode)
{
    if (mode == Mode::None) return std::nullopt;
    const std::string mac = mac_address(container, lxcpath);
    std::istringstream in(read_small_file(state_dir() / "leases"));
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string expiry, hwaddr, address;
        words >> expiry >> hwaddr >> address;
        std::transform(hwaddr.begin(), hwaddr.end(), hwaddr.begin(), ::tolower);
        if (hwaddr == mac && in_bridge(address, bridge_of(mode))) return address;
    }
    return std::nullopt;
}

int setup_network(const std::vector<std::string>& users)
{
    if (geteuid() != 0) {
        std::cerr << "ctopbroker: setup changes the host's network (bridges, firewall, dnsmasq): run it as root, "
                     "`sudo ctopbroker setup`\n";
        return 1;
    }
    for (const auto& u : users)
        if (!valid_user_name(u)) {
            std::cerr << "ctopbroker: setup: bad user name '" << u << "'\n";
            return 2;
        }
    try {
        bool new_bridge = false;
        for (const Bridge* b : {&internet_bridge, &lan_bridge}) new_bridge |= ensure_bridge(*b);
        ensure_forwarding();
        prune_usernet();
        for (const auto& u : users) ensure_usernet(u);  // before the rules: they isolate these users' ports
        ensure_rules();
        ensure_dnsmasq(new_bridge);
        std::printf("setup: network ready: %s (%s) for internet, %s (%s) for lan; IPv6 off\n", internet_bridge.name,
                    internet_bridge.subnet, lan_bridge.name, lan_bridge.subnet);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ctopbroker: setup: " << e.what() << "\n";
        return 1;
    }
}

std::string missing_network()
{
    std::vector<std::string> missing;
    for (const Bridge* b : {&internet_bridge, &lan_bridge})
        if (!interface_exists(b->name)) missing.push_back(std::string("bridge ") + b->name);
    if (!running_dnsmasq()) missing.push_back("dnsmasq (" + (state_dir() / "dnsmasq.pid").string() + ")");
    std::string text;
    for (const auto& m : missing) text += (text.empty() ? "" : ", ") + m;
    return text;
}

int remove_user_network(const std::vector<std::string>& users)
{
    try {
        drop_usernet_lines([&](const std::string& user) {
            return std::find(users.begin(), users.end(), user) != users.end() || getpwnam(user.c_str()) == nullptr;
        });
        // Their ports leave the rules; no tables yet means nothing to redo.
        if (!live_rules().empty()) ensure_rules();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ctopbroker: setup --remove-user: " << e.what() << "\n";
        return 1;
    }
}

int show_network(const std::string& container, Mode mode, const fs::path& lxcpath)
{
    std::printf("%s: network = %s\n", container.c_str(), std::string(to_string(mode)).c_str());
    if (mode == Mode::None) {
        std::printf("  loopback only: its only interface is lo; it reaches nothing outside itself\n");
        return 0;
    }
    const Bridge& b = bridge_of(mode);
    auto address = leased_address(container, lxcpath, mode);
    std::printf("  eth0 %s on bridge %s (host end %s), address %s\n", mac_address(container, lxcpath).c_str(), b.name,
                veth_name(container, lxcpath).c_str(), address ? address->c_str() : "- (no lease)");
    std::printf("  allowed: DHCP and DNS from %s; %s through NAT\n", b.gateway,
                mode == Mode::Lan ? "the internet and the LAN (10/8, 172.16/12, 192.168/16, 100.64/10)"
                                  : "the internet");
    std::printf("  refused: other containers, the host's other services, %slink-local, multicast, IPv6\n",
                mode == Mode::Lan ? "" : "the LAN (10/8, 172.16/12, 192.168/16, 100.64/10), ");
    if (!interface_exists(b.name)) std::printf("  bridge %s missing: %s\n", b.name, setup_hint);
    if (geteuid() != 0) {
        std::printf("  (the live nftables rules can only be listed by root)\n");
        return 0;
    }
    std::string rules = live_rules();
    if (rules.empty()) {
        std::printf("  no ctopbroker nftables rules are loaded: %s\n", setup_hint);
        return 1;
    }
    // The rules that apply to it: all but those naming only the other bridge.
    const std::string other = mode == Mode::Lan ? internet_bridge.name : lan_bridge.name;
    std::printf("live rules (nft list table inet|bridge ctopbroker):\n");
    std::istringstream in(rules);
    for (std::string line; std::getline(in, line);) {
        bool names_other = line.find("\"" + other + "\"") != std::string::npos;
        bool names_mine = line.find(std::string("\"") + b.name + "\"") != std::string::npos;
        if (names_other && !names_mine) continue;
        std::printf("  %s\n", line.c_str());
    }
    return 0;
}

}  // namespace ctop::net
