// Networking per container, in a world of the test's own: no packet leaves
// this machine. The session (and `ctopbroker setup`, its bridges, dnsmasq and
// nftables rules) run in a network namespace the test makes, wired to two
// more: a fake "internet" host (203.0.113.10, named internet.test by the
// bridge's DNS) and a fake "LAN" host (192.168.77.10), each serving a page.
// The session's namespace has its own "host service" on port 8080.
#include "support/container_test.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;

extern char** environ;

namespace {

constexpr const char* busybox_inside = "/opt/ctopbroker/busybox";

std::string ip_tool()
{
    return fs::exists("/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip";
}

int sh(const std::string& command)
{
    return std::system(command.c_str());
}

pid_t background(const std::vector<std::string>& argv)
{
    std::vector<std::string> args = argv;
    std::vector<char*> c;
    for (auto& a : args) c.push_back(a.data());
    c.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    posix_spawnp(&pid, c[0], &fa, nullptr, c.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

// The world, made once for the suite: namespaces, wires, servers, setup.
struct World {
    std::string session_ns, internet_ns, lan_ns;
    fs::path dir;  // pages, the wrapper, CTOPBROKER_NET_DIR
    std::string real_bin, saved_bin;
    std::vector<pid_t> servers;
    std::string setup_output;
    int setup_status = -1;
};
World* world = nullptr;

std::string in_ns(const std::string& ns, const std::string& command)
{
    return ip_tool() + " netns exec " + ns + " " + command;
}

void serve(const std::string& ns, const fs::path& root, const std::string& page, int port)
{
    fs::create_directories(root);
    std::ofstream(root / "index.html") << page << "\n";
    world->servers.push_back(background(
        {ip_tool(), "netns", "exec", ns, "busybox", "httpd", "-f", "-p", std::to_string(port), "-h", root.string()}));
}

class Network : public ContainerTest {
protected:
    static void SetUpTestSuite()
    {
        if (geteuid() != 0) return;  // each test skips
        world = new World();
        World& w = *world;
        std::string tag = std::to_string(getpid());
        w.session_ns = "ctn-" + tag + "-s";
        w.internet_ns = "ctn-" + tag + "-i";
        w.lan_ns = "ctn-" + tag + "-l";
        char tmpl[] = "/tmp/ctopbroker-net-XXXXXX";
        ASSERT_TRUE(mkdtemp(tmpl));
        w.dir = tmpl;
        // dnsmasq reads its hosts file below as nobody.
        fs::permissions(w.dir, fs::perms::others_exec | fs::perms::group_exec, fs::perm_options::add);
        const std::string ip = ip_tool(), S = w.session_ns, I = w.internet_ns, L = w.lan_ns;
        for (const auto& ns : {S, I, L}) ASSERT_EQ(sh(ip + " netns add " + ns), 0);
        // The wires: session ns <-> internet host, session ns <-> LAN host.
        ASSERT_EQ(sh(ip + " -n " + S + " link add up-i type veth peer name eth0 netns " + I), 0);
        ASSERT_EQ(sh(ip + " -n " + S + " link add up-l type veth peer name eth0 netns " + L), 0);
        for (const auto& c : {"-n " + S + " link set lo up", "-n " + S + " addr add 203.0.113.1/24 dev up-i",
                              "-n " + S + " link set up-i up", "-n " + S + " addr add 192.168.77.1/24 dev up-l",
                              "-n " + S + " link set up-l up", "-n " + S + " route add default via 203.0.113.10",
                              "-n " + I + " link set lo up", "-n " + I + " addr add 203.0.113.10/24 dev eth0",
                              "-n " + I + " link set eth0 up", "-n " + L + " link set lo up",
                              "-n " + L + " addr add 192.168.77.10/24 dev eth0", "-n " + L + " link set eth0 up",
                              "-n " + L + " route add default via 192.168.77.1"})
            ASSERT_EQ(sh(ip + " " + c), 0) << c;
        serve(I, w.dir / "internet", "internet-page", 80);
        serve(L, w.dir / "lan", "lan-page", 80);
        serve(S, w.dir / "host", "host-secret", 8080);  // the host's own service
        // The bridge's dnsmasq names the internet host.
        fs::create_directories(w.dir / "net");
        std::ofstream(w.dir / "net" / "hosts") << "203.0.113.10 internet.test\n";
        // No upstream resolver in this world: .test is answered locally, fast.
        fs::create_directories(w.dir / "net" / "dnsmasq.d");
        std::ofstream(w.dir / "net" / "dnsmasq.d" / "test.conf") << "local=/test/\n";
        setenv("CTOPBROKER_NET_DIR", (w.dir / "net").c_str(), 1);
        // Every ctopbroker the harness runs (session, CLI) runs in the session's namespace.
        w.real_bin = std::getenv("CTOPBROKER_BIN");
        w.saved_bin = w.real_bin;
        fs::path wrapper = w.dir / "ctopbroker";
        // Like `ip netns exec`: a fresh sysfs of the namespace's own on /sys
        // (liblxc looks for bridges there), with the host's cgroup mounts
        // moved over on top. Binding only /sys/class/net over the host's
        // sysfs would leave no fully visible sysfs, and the kernel then
        // refuses the unprivileged containers' own sysfs mount.
        fs::create_directories(w.dir / "cgroup");
        std::ofstream(wrapper) << "#!/bin/sh\nexec nsenter --net=/run/netns/" << S
                               << " unshare --mount --propagation slave sh -c 'mount --rbind /sys/fs/cgroup "
                               << (w.dir / "cgroup").string() << " && mount -t sysfs sysfs /sys && mount --move "
                               << (w.dir / "cgroup").string() << " /sys/fs/cgroup && exec \"$0\" \"$@\"' " << w.real_bin
                               << " \"$@\"\n";
        fs::permissions(wrapper, fs::perms::owner_all);
        setenv("CTOPBROKER_BIN", wrapper.c_str(), 1);
        w.setup_status = run_setup(&w.setup_output);
    }

    static int run_setup(std::string* out)
    {
        std::string cmd = (world->dir / "ctopbroker").string() + " setup 2>&1";
        FILE* p = popen(cmd.c_str(), "r");
        char buf[512];
        while (p && fgets(buf, sizeof buf, p)) *out += buf;
        return p ? WEXITSTATUS(pclose(p)) : -1;
    }

    static void TearDownTestSuite()
    {
        if (!world) return;
        World& w = *world;
        for (pid_t pid : w.servers) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        std::ifstream pidfile(w.dir / "net" / "dnsmasq.pid");
        pid_t dnsmasq = 0;
        if (pidfile >> dnsmasq && dnsmasq > 0) kill(dnsmasq, SIGKILL);
        for (const auto& ns : {w.session_ns, w.internet_ns, w.lan_ns}) sh(ip_tool() + " netns del " + ns);
        setenv("CTOPBROKER_BIN", w.saved_bin.c_str(), 1);
        unsetenv("CTOPBROKER_NET_DIR");
        std::error_code ec;
        fs::remove_all(w.dir, ec);
        delete world;
        world = nullptr;
    }

    void SetUp() override
    {
        if (geteuid() != 0) GTEST_SKIP() << "network namespaces and containers need root";
        ASSERT_EQ(world->setup_status, 0) << world->setup_output;
        ContainerTest::SetUp();
    }

    // Starts NAME with a long-running command and waits for its DHCP lease.
    std::string start_with_address(const std::string& name, std::vector<std::string> cmd = {"sleep", "600"})
    {
        spawn(name, cmd);
        std::string address;
        bool leased = wait_until(
            [&] {
                std::string resolv;
                exec(name, {"cat", "/etc/resolv.conf"}, &resolv);
                json l = list();
                for (const auto& e : l)
                    if (e["name"] == name && e["address"].is_string()) address = e["address"];
                return resolv.find("nameserver 10.213.") != std::string::npos && !address.empty();
            },
            std::chrono::seconds(30));
        EXPECT_TRUE(leased) << name << " got no address";
        return address;
    }

    json list()
    {
        std::string out;
        if (s().cli({"list", "--json"}, &out) != 0) return json::array();
        return json::parse(out, nullptr, false);
    }

    // Whether NAME fetches `url` (the host's curl, bound in with /usr; 3 s);
    // the page when it does. (busybox wget crashes on this kernel.)
    bool fetches(const std::string& name, const std::string& url, std::string* page = nullptr)
    {
        std::string out;
        fetch_error_.clear();
        int rc = s().cli({"exec", name, "--", "curl", "-sSf", "-m", "3", url}, &out, &fetch_error_);
        if (page) *page = out;
        return rc == 0;
    }

    std::string fetch_error_;  // curl's complaint about the last fetch

    void create_with(const std::string& name, const std::string& mode) { create(name, {"--network", mode}); }
};

TEST_F(Network, SetupMadeTheBridgesAndASecondRunChangesNothing)
{
    EXPECT_NE(world->setup_output.find("created bridge ctop-inet"), std::string::npos) << world->setup_output;
    EXPECT_NE(world->setup_output.find("started dnsmasq"), std::string::npos) << world->setup_output;
    std::string again;
    ASSERT_EQ(run_setup(&again), 0) << again;
    EXPECT_EQ(again.find("created"), std::string::npos) << again;
    EXPECT_EQ(again.find("started"), std::string::npos) << again;
    EXPECT_NE(again.find("network ready"), std::string::npos) << again;
}

TEST_F(Network, AnInternetContainerFetchesAPageByNameButReachesNoLanHostNoHostServiceAndNoOtherContainer)
{
    // The default for a new container.
    std::string out, err;
    ASSERT_EQ(s().cli({"create", "web", "--privileged"}, &out, &err), 0) << err;
    created_.push_back("web");
    EXPECT_NE(out.find("network internet"), std::string::npos) << out;
    create_with("other", "internet");
    std::string web = start_with_address("web");
    std::string other =
        start_with_address("other", {"sh", "-c",
                                     "mkdir -p /tmp/www && echo container-page > /tmp/www/index.html && exec " +
                                         std::string(busybox_inside) + " httpd -f -p 8000 -h /tmp/www"});
    ASSERT_FALSE(web.empty());
    ASSERT_FALSE(other.empty());
    EXPECT_NE(web, other);

    std::string page;
    EXPECT_TRUE(fetches("web", "http://internet.test/", &page)) << fetch_error_;
    EXPECT_EQ(page, "internet-page\n");
    EXPECT_FALSE(fetches("web", "http://192.168.77.10/")) << "an internet container reached the LAN";
    for (const char* host : {"10.213.0.1", "192.168.77.1", "203.0.113.1"})
        EXPECT_FALSE(fetches("web", std::string("http://") + host + ":8080/"))
            << "reached the host's service at " << host;
    // The other container serves (the host sees it) but web cannot reach it.
    std::string from_host;
    ASSERT_TRUE(wait_until(
        [&] { return sh(in_ns(world->session_ns, "curl -sf -m 2 -o /dev/null http://" + other + ":8000/")) == 0; }));
    EXPECT_FALSE(fetches("web", "http://" + other + ":8000/")) << "one container reached another";

    // list shows mode and address; `network` the rules for its bridge.
    for (const auto& e : list())
        if (e["name"] == "web") {
            EXPECT_EQ(e["network"], "internet");
            EXPECT_EQ(e["address"], web);
        }
    ASSERT_EQ(s().cli({"network", "web"}, &out), 0);
    EXPECT_NE(out.find("network = internet"), std::string::npos) << out;
    EXPECT_NE(out.find(web), std::string::npos) << out;
    EXPECT_NE(out.find("@lan_ranges drop"), std::string::npos) << out;
}

TEST_F(Network, ALanContainerReachesTheLanAndTheInternetButNotTheHostOrOtherContainers)
{
    create_with("office", "lan");
    create_with("web", "internet");
    std::string office = start_with_address("office");
    std::string web =
        start_with_address("web", {"sh", "-c",
                                   "mkdir -p /tmp/www && echo container-page > /tmp/www/index.html && exec " +
                                       std::string(busybox_inside) + " httpd -f -p 8000 -h /tmp/www"});
    EXPECT_EQ(office.rfind("10.213.1.", 0), 0u) << office;
    std::string page;
    EXPECT_TRUE(fetches("office", "http://192.168.77.10/", &page)) << fetch_error_;
    EXPECT_EQ(page, "lan-page\n");
    EXPECT_TRUE(fetches("office", "http://internet.test/", &page)) << fetch_error_;
    EXPECT_EQ(page, "internet-page\n");
    EXPECT_FALSE(fetches("office", "http://192.168.77.1:8080/")) << "reached the host's service";
    EXPECT_FALSE(fetches("office", "http://10.213.1.1:8080/")) << "reached the host's service";
    ASSERT_TRUE(wait_until(
        [&] { return sh(in_ns(world->session_ns, "curl -sf -m 2 -o /dev/null http://" + web + ":8000/")) == 0; }));
    EXPECT_FALSE(fetches("office", "http://" + web + ":8000/")) << "a lan container reached an internet one";
}

TEST_F(Network, ANoneContainerHasLoopbackOnly)
{
    create_with("sealed", "none");
    spawn("sealed", {"sleep", "600"});
    std::string links;
    ASSERT_EQ(exec("sealed", {busybox_inside, "ls", "/sys/class/net"}, &links), 0);
    EXPECT_EQ(links, "lo\n");
    EXPECT_FALSE(fetches("sealed", "http://203.0.113.10/"));
    EXPECT_FALSE(fetches("sealed", "http://192.168.77.10/"));
    for (const auto& e : list())
        if (e["name"] == "sealed") {
            EXPECT_EQ(e["network"], "none");
            EXPECT_TRUE(e["address"].is_null());
        }
}

TEST_F(Network, SwitchingTheModeAndSpawningAgainChangesWhatItReaches)
{
    create_with("flip", "none");
    spawn("flip", {"sleep", "600"});
    EXPECT_FALSE(fetches("flip", "http://192.168.77.10/"));
    std::string out, err;
    ASSERT_EQ(s().cli({"set", "flip", "network=lan"}, &out, &err), 0) << err;
    EXPECT_NE(out.find("next start"), std::string::npos) << out;  // it runs: says when it applies
    ASSERT_EQ(s().cli({"stop", "flip"}), 0);
    start_with_address("flip");
    EXPECT_TRUE(fetches("flip", "http://192.168.77.10/")) << fetch_error_;
    ASSERT_EQ(s().cli({"set", "flip", "network=internet"}, &out, &err), 0) << err;
    ASSERT_EQ(s().cli({"stop", "flip"}), 0);
    start_with_address("flip");
    EXPECT_TRUE(fetches("flip", "http://internet.test/")) << fetch_error_;
    EXPECT_FALSE(fetches("flip", "http://192.168.77.10/"));
}

TEST_F(Network, AContainerThatForgesItsAddressStillReachesNoLan)
{
    create_with("liar", "internet");
    start_with_address("liar");
    // Root inside takes an address of the lan bridge and routes through it.
    std::string forge = std::string(busybox_inside) + " ip addr flush dev eth0 && " + busybox_inside +
                        " ip addr add 10.213.1.77/24 dev eth0 && " + busybox_inside +
                        " ip route add default via 10.213.1.1";
    std::string out;
    ASSERT_EQ(s().cli({"exec", "liar", "--root", "--", "sh", "-c", forge}, &out), 0);
    EXPECT_FALSE(fetches("liar", "http://192.168.77.10/"));
    EXPECT_FALSE(fetches("liar", "http://203.0.113.10/")) << "a forged source address got out";
    // What list shows is the lease, never what the container claims.
    for (const auto& e : list())
        if (e["name"] == "liar") {
            EXPECT_NE(e["address"], "10.213.1.77");
        }
}

TEST_F(Network, BadModesAndAMissingBridgeGetOneMessageNamingTheFix)
{
    std::string out, err;
    EXPECT_NE(s().cli({"create", "x", "--network", "wifi"}, &out, &err), 0);
    EXPECT_NE(err.find("internet"), std::string::npos) << err;
    create_with("later", "none");
    EXPECT_NE(s().cli({"set", "later", "network=wifi"}, &out, &err), 0);
    EXPECT_NE(err.find("\"none\", \"internet\" or \"lan\""), std::string::npos) << err;
    EXPECT_NE(s().cli({"set", "later", "colour=red"}, &out, &err), 0);
    EXPECT_NE(err.find("network"), std::string::npos) << err;

    // The lan bridge goes away (a reboot, say): spawn names the fix.
    ASSERT_EQ(sh(ip_tool() + " -n " + world->session_ns + " link del ctop-lan"), 0);
    ASSERT_EQ(s().cli({"set", "later", "network=lan"}, &out, &err), 0) << err;
    EXPECT_NE(s().cli({"spawn", "later", "--", "sleep", "600"}, &out, &err), 0);
    EXPECT_NE(err.find("ctop-lan does not exist"), std::string::npos) << err;
    EXPECT_NE(err.find("ctopbroker setup"), std::string::npos) << err;
    std::string again;
    ASSERT_EQ(run_setup(&again), 0) << again;
    EXPECT_NE(again.find("created bridge ctop-lan"), std::string::npos) << again;
    start_with_address("later");
    EXPECT_TRUE(fetches("later", "http://192.168.77.10/")) << fetch_error_;
}

// The debian template (debootstrap from the host's mirror, ~3 min) runs the
// same init and DHCP client as the minimal one. It is built outside the
// world, through the machine's real uplink (the world has none), then started
// in it like any other.
TEST_F(Network, ADebianContainerGetsAnAddressARouteAndAResolverLikeTheMinimalOne)
{
    const std::string mirror = "http://deb.debian.org/debian/dists/bookworm/Release";
    if (sh("curl -sfI -m 10 -o /dev/null " + mirror) != 0)
        GTEST_SKIP() << "the debian template needs a Debian mirror, and " << mirror << " is not reachable";
    std::string out;
    const std::string create = "CTOPBROKER_LXCPATH=" + lxcpath_.string() + " " + world->real_bin +
                               " create deb --template debian --network internet 2>&1";
    FILE* p = popen(create.c_str(), "r");
    char buf[512];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    ASSERT_EQ(p ? WEXITSTATUS(pclose(p)) : -1, 0) << out;
    created_.push_back("deb");

    const std::string address = start_with_address("deb");
    EXPECT_EQ(address.rfind("10.213.0.", 0), 0u) << address;
    std::string route;
    ASSERT_EQ(exec("deb", {busybox_inside, "ip", "route"}, &route), 0);
    EXPECT_NE(route.find("default via 10.213.0.1 dev eth0"), std::string::npos) << route;
    // Debian's own resolver (glibc, nsswitch) and bash, no curl in minbase.
    std::string page;
    ASSERT_EQ(
        exec("deb",
             {"bash", "-c",
              "exec 3<>/dev/tcp/internet.test/80 && printf 'GET / HTTP/1.0\\r\\nHost: internet.test\\r\\n\\r\\n' >&3 "
              "&& cat <&3"},
             &page),
        0);
    EXPECT_NE(page.find("internet-page"), std::string::npos) << page;
    // Dropped, so the connect would wait minutes: 3 s is plenty on a bridge.
    EXPECT_NE(exec("deb", {"timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/192.168.77.10/80"}), 0)
        << "an internet container reached the LAN";
}

}  // namespace
