// A normal user's session: the harness makes a user (useradd -m), runs
// `ctopbroker setup --user` for it as root once, then runs the session, the
// CLI and the clients as that user (CTOPBROKER_TEST_USER, see
// tests/support/harness.hpp). Nothing of ctopbroker may run as root.
#include "support/container_test.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace ctop::test {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

struct Process {
    pid_t pid = 0;
    pid_t ppid = 0;
    std::string name;
    std::vector<unsigned long> uids;  // real, effective, saved, filesystem
    std::string cgroups;
};

std::vector<Process> all_processes()
{
    std::vector<Process> out;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        Process p;
        p.pid = std::stoi(pid);
        std::ifstream status(entry.path() / "status");
        for (std::string line; std::getline(status, line);) {
            std::istringstream fields(line.substr(line.find(':') + 1));
            if (line.starts_with("Name:")) fields >> p.name;
            if (line.starts_with("PPid:")) fields >> p.ppid;
            if (line.starts_with("Uid:"))
                for (unsigned long id; fields >> id;) p.uids.push_back(id);
        }
        std::ifstream cgroup(entry.path() / "cgroup");
        std::stringstream ss;
        ss << cgroup.rdbuf();
        p.cgroups = ss.str();
        if (!p.uids.empty()) out.push_back(p);  // gone meanwhile otherwise
    }
    return out;
}

// The session and everything it started: its descendants, and whatever sits
// in the user's delegated cgroups (liblxc's monitors leave the process tree).
std::vector<Process> processes_of_session(pid_t session, const std::string& user)
{
    std::vector<Process> all = all_processes();
    std::set<pid_t> ours{session};
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& p : all)
            if (ours.count(p.ppid) && ours.insert(p.pid).second) grew = true;
    }
    std::vector<Process> out;
    for (const auto& p : all)
        if (ours.count(p.pid) || p.cgroups.find(":/ctopbroker/" + user) != std::string::npos) out.push_back(p);
    return out;
}

class UnprivilegedSession : public ContainerTest {
protected:
    void SetUp() override
    {
        ContainerTest::SetUp();
        if (IsSkipped()) return;
        ASSERT_NE(test_user(), nullptr) << "this suite runs with CTOPBROKER_TEST_USER set (tests/meson.build)";
    }
    const TestUser& user() { return *test_user(); }
};

TEST_F(UnprivilegedSession, ANormalUserRunsWaylandX11AndAudioAppsWithNoRootProcess)
{
    std::string doctor;
    EXPECT_EQ(s().cli({"doctor"}, &doctor), 0) << doctor;
    create("alpha");
    spawn("alpha", {"weston-simple-shm"});
    ASSERT_TRUE(s().wait_views("alpha", 1, std::chrono::seconds(20)));
    spawn("alpha", {"xeyes"});
    ASSERT_TRUE(s().wait_views("alpha", 2, std::chrono::seconds(30))) << s().log();
    std::set<std::string> kinds;
    for (const auto& v : s().views()) kinds.insert(v.value("kind", ""));
    EXPECT_TRUE(kinds.count("x11")) << "xeyes came up through the container's own Xwayland";

    // Audio: the first audio client starts it; the bridge's anchor reached
    // the container's pid namespace.
    EXPECT_EQ(exec("alpha", {"timeout", "30", "pw-cli", "info", "0"}), 0);
    bool ready = wait_until(
        [&] {
            std::string out;
            if (s().cli({"audio", "alpha", "--json"}, &out) != 0) return false;
            json state = json::parse(out, nullptr, false)["state"];
            return state.is_object() && state.value("host_node", json()).is_number();
        },
        std::chrono::seconds(20));
    EXPECT_TRUE(ready) << s().log();

    std::vector<Process> ours = processes_of_session(s().pid(), user().name);
    std::set<std::string> names;
    for (const auto& p : ours) {
        names.insert(p.name);
        for (unsigned long id : p.uids)
            EXPECT_NE(id, 0u) << p.name << " (pid " << p.pid << ") of the session runs with a root uid";
    }
    // The list held what it should have held, so the check above meant something.
    EXPECT_TRUE(names.count("ctopbroker-sess")) << "the session itself";
    EXPECT_TRUE(names.count("Xwayland")) << "alpha's X server";
    EXPECT_TRUE(names.count("weston-simple-s"));
    EXPECT_TRUE(names.count("pipewire")) << "the containers' audio";
    EXPECT_GE(ours.size(), 8u);
}

TEST_F(UnprivilegedSession, AContainersLimitsApplyInTheUsersDelegatedCgroup)
{
    create("limited", {"--memory", "256M", "--pids", "123"});
    spawn("limited", {"sleep", "61"});
    // liblxc made the container's cgroups below the user's subtree, with the limits.
    std::string payload;
    for (const auto& p : all_processes()) {
        if (p.name != "sleep" || p.cgroups.find("lxc.payload.limited") == std::string::npos) continue;
        if (p.uids.empty() || p.uids[0] < 100000) continue;  // another session's
        std::istringstream lines(p.cgroups);
        // The pids controller's line (cgroup v1), else the unified one (v2).
        for (std::string line; std::getline(lines, line);)
            if (line.find(":pids:") != std::string::npos || (line.starts_with("0::") && payload.empty()))
                payload = line.substr(line.rfind(':') + 1);
    }
    ASSERT_FALSE(payload.empty()) << "no sleep in limited's cgroup";
    EXPECT_TRUE(payload.starts_with("/ctopbroker/" + user().name + "/lxc.payload.limited")) << payload;
    // The limits, as the kernel holds them (cgroup v1 here, v2 on other machines).
    auto limit = [&](const std::vector<std::string>& files) {
        for (const auto& file : files)
            for (const auto& h : {"/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory", "/sys/fs/cgroup"}) {
                std::ifstream in(fs::path(h) / fs::path(payload).relative_path() / file);
                std::string value;
                if (in >> value) return value;
            }
        return std::string("(none)");
    };
    EXPECT_EQ(limit({"pids.max"}), "123");
    EXPECT_EQ(limit({"memory.limit_in_bytes", "memory.max"}), std::to_string(256ul << 20));
}

TEST_F(UnprivilegedSession, AShareMarkedRwIsWritableInsideAndTheFilesAreTheUsersOnTheHost)
{
    fs::path rw = fs::path(user().home) / "ctop-test-share";
    fs::remove_all(rw);
    fs::create_directories(rw);
    ASSERT_EQ(chown(rw.c_str(), user().uid, user().gid), 0);
    struct Cleanup {
        fs::path dir;
        ~Cleanup()
        {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } cleanup{rw};
    create("sharer", {"--share", rw.string() + ":/home/user/rw:rw"});
    spawn("sharer", {"sleep", "60"});
    EXPECT_EQ(exec("sharer", {"sh", "-c", "echo made-inside > /home/user/rw/new"}), 0);
    // The user keeps the run of what the container made (a default ACL entry:
    // no idmapped mount without root), and the container of what the user made.
    EXPECT_EQ(s().run({"sh", "-c", "echo from-host >> " + (rw / "new").string()}), 0);
    EXPECT_EQ(s().run({"sh", "-c", "echo by-user > " + (rw / "mine").string()}), 0);
    EXPECT_EQ(exec("sharer", {"sh", "-c", "echo again >> /home/user/rw/mine"}), 0);
    std::string out;
    ASSERT_EQ(exec("sharer", {"cat", "/home/user/rw/new", "/home/user/rw/mine"}, &out), 0);
    EXPECT_EQ(out, "made-inside\nfrom-host\nby-user\nagain\n");
    // Read-only stays read-only.
    fs::path ro = fs::path(user().home) / "ctop-test-ro";
    fs::create_directories(ro);
    ASSERT_EQ(chown(ro.c_str(), user().uid, user().gid), 0);
    Cleanup ro_cleanup{ro};
    create("reader", {"--share", ro.string() + ":/home/user/ro:ro"});
    spawn("reader", {"sleep", "60"});
    EXPECT_NE(exec("reader", {"touch", "/home/user/ro/x"}), 0);
    EXPECT_NE(s().cli({"exec", "--root", "reader", "--", "touch", "/home/user/ro/x"}), 0);
    EXPECT_FALSE(fs::exists(ro / "x"));
}

// The machine's own bridges (the harness ran `setup --user`, which makes
// them): lxc-user-nic attaches the user's containers, the bridge table keeps
// its ports (veth<UID>_*) apart. Nothing leaves the machine: only ARP between
// the two containers and the bridge is tried.
TEST_F(UnprivilegedSession, UserContainersGetAnAddressThroughLxcUserNicButCannotSeeEachOther)
{
    auto address_of = [&](const std::string& name) {
        std::string address;
        wait_until(
            [&] {
                std::string out;
                if (s().cli({"list", "--json"}, &out) != 0) return false;
                for (const auto& e : json::parse(out, nullptr, false))
                    if (e.value("name", "") == name && e["address"].is_string()) address = e["address"];
                return !address.empty();
            },
            std::chrono::seconds(20));
        return address;
    };
    create("neta", {"--network", "internet"});
    create("netb", {"--network", "internet"});
    spawn("neta", {"sleep", "60"});
    spawn("netb", {"sleep", "60"});
    const std::string a = address_of("neta"), b = address_of("netb");
    ASSERT_FALSE(a.empty()) << "neta got no DHCP lease through its lxc-user-nic port\n" << s().log();
    ASSERT_FALSE(b.empty()) << "netb got no DHCP lease";
    // Its host end is lxc-user-nic's, not one of ours.
    bool user_port = false;
    for (const auto& entry : fs::directory_iterator("/sys/class/net"))
        user_port |= entry.path().filename().string().starts_with("veth" + std::to_string(user().uid) + "_");
    EXPECT_TRUE(user_port);

    std::string out;
    // The bridge's own address answers (lxc-user-nic attached the port)...
    s().cli({"exec", "--root", "neta", "--", "sh", "-c",
             "ip neigh flush all; busybox ping -c 1 -W 2 10.213.0.1 >/dev/null 2>&1; ip neigh show 10.213.0.1"},
            &out);
    EXPECT_NE(out.find("lladdr"), std::string::npos) << out;
    // ...the other container does not, not even for ARP.
    s().cli({"exec", "--root", "neta", "--", "sh", "-c",
             "ip neigh flush all; busybox ping -c 1 -W 2 " + b + " >/dev/null 2>&1; ip neigh show " + b},
            &out);
    EXPECT_EQ(out.find("lladdr"), std::string::npos) << "neta reached netb: " << out;
    EXPECT_NE(out.find(b), std::string::npos) << "the probe did not run: " << out;
}

TEST_F(UnprivilegedSession, StopAndDestroyLeaveNothingOfTheContainer)
{
    create("alpha");
    spawn("alpha", {"sleep", "60"});
    std::string err;
    EXPECT_EQ(s().cli({"stop", "alpha"}, nullptr, &err), 0) << err;
    EXPECT_EQ(s().cli({"destroy", "alpha"}, nullptr, &err), 0) << err;
    created_.clear();
    EXPECT_FALSE(fs::exists(lxcpath_ / "alpha")) << "its rootfs belongs to its mapped ids: removed from inside";
}

}  // namespace
}  // namespace ctop::test
