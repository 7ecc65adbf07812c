// `ctopbroker spawn` with real LXC containers and real clients inside them.
#include "support/container_test.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Containers = ContainerTest;

json views_of(Session& s, const std::string& ws)
{
    json out = json::array();
    for (const auto& v : s.views())
        if (v["workspace"] == ws) out.push_back(v);
    return out;
}

}  // namespace

TEST_F(Containers, FootInsideMapsInTheContainersWorkspace)
{
    create("work");
    spawn("work", {"foot", "--app-id", "inside", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s().wait_views("work", 1));
    json v = views_of(s(), "work")[0];
    EXPECT_EQ(v["container"], "work");
    EXPECT_EQ(v["app_id"], "inside");
    // It mapped in the background: the user stays where they were.
    EXPECT_EQ(s().status()["current_workspace"], "host");
    std::string list;
    ASSERT_EQ(s().cli({"list", "--json"}, &list), 0);
    json l = json::parse(list);
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0]["state"], "RUNNING");
    EXPECT_EQ(l[0]["windows"], 1);
    EXPECT_EQ(l[0]["privilege"], "unprivileged");
}

TEST_F(Containers, WaylandInfoInsideSeesNoPrivilegedGlobals)
{
    create("work");
    spawn("work", {"sleep", "60"});
    std::string inside, host;
    ASSERT_EQ(exec("work", {"wayland-info"}, &inside), 0);
    ASSERT_EQ(s().run({"wayland-info"}, {}, &host), 0);
    for (const char* global : {"zwlr_screencopy_manager_v1", "zwlr_data_control_manager_v1",
                               "zwlr_export_dmabuf_manager_v1", "zwlr_gamma_control_manager_v1"}) {
        EXPECT_EQ(inside.find(global), std::string::npos) << global << " visible inside the container";
        EXPECT_NE(host.find(global), std::string::npos) << global << " missing on the host";
    }
    EXPECT_NE(inside.find("xdg_wm_base"), std::string::npos);
}

TEST_F(Containers, NothingOfTheHostEnvironmentLeaksIn)
{
    setenv("CTOPBROKER_SECRET_TOKEN", "hunter2", 1);
    create("work");
    spawn("work", {"sh", "-c", "env > /tmp/env.txt; sleep 60"});
    std::string env;
    ASSERT_TRUE(wait_until([&] { return exec("work", {"cat", "/tmp/env.txt"}, &env) == 0 && !env.empty(); }));
    unsetenv("CTOPBROKER_SECRET_TOKEN");
    EXPECT_EQ(env.find("hunter2"), std::string::npos);
    EXPECT_NE(env.find("WAYLAND_DISPLAY=/run/ctopbroker/wayland-0"), std::string::npos) << env;
    EXPECT_NE(env.find("CTOPBROKER_CONTAINER=work"), std::string::npos);
}

TEST_F(Containers, AContainerCannotReachAnotherContainersSocket)
{
    create("alpha");
    create("beta");
    spawn("alpha", {"sleep", "60"});
    spawn("beta", {"sleep", "60"});
    fs::path beta_socket = s().runtime_dir() / "ctopbroker" / "c" / "beta" / "wayland-0";
    ASSERT_TRUE(fs::exists(beta_socket));
    std::string out;
    ASSERT_EQ(exec("alpha", {"ls", "/run/ctopbroker"}, &out), 0);
    // Its own X, Wayland, PipeWire and PulseAudio sockets (and PipeWire's config and lock), nothing else.
    EXPECT_EQ(out, "X0\npipewire-0\npipewire-0.lock\npipewire.conf\npulse\nwayland-0\n");
    EXPECT_NE(exec("alpha", {"test", "-e", beta_socket.string()}), 0) << "beta's socket path exists inside alpha";
    EXPECT_NE(exec("alpha", {"env", "WAYLAND_DISPLAY=" + beta_socket.string(), "wayland-info"}), 0);
    EXPECT_NE(exec("alpha", {"env", "WAYLAND_DISPLAY=" + s().host_socket(), "wayland-info"}), 0);
}

TEST_F(Containers, StoppingAContainerMidFrameLeavesTheSessionRunning)
{
    create("work");
    spawn("work", {"weston-simple-shm"});  // commits a frame on every frame callback
    ASSERT_TRUE(s().wait_views("work", 1));
    ASSERT_EQ(s().key("Super+2"), "");
    ASSERT_EQ(s().cli({"stop", "work"}), 0);
    EXPECT_TRUE(s().wait_views("work", 0));
    EXPECT_TRUE(s().alive());
    EXPECT_TRUE(wait_until([&] { return s().status()["current_workspace"] == "host"; }));
    // And it comes back.
    spawn("work", {"weston-simple-shm"});
    EXPECT_TRUE(s().wait_views("work", 1));
}

TEST_F(Containers, KeysTypedInOneContainerNeverReachAnother)
{
    create("alpha");
    create("beta");
    for (const char* name : {"alpha", "beta"})
        spawn(name, {"foot", "sh", "-c", "stty -echo -icanon; exec cat > /home/user/typed"});
    ASSERT_TRUE(s().wait_views("alpha", 1));
    ASSERT_TRUE(s().wait_views("beta", 1));
    auto typed = [&](const std::string& name) {
        std::string out;
        exec(name, {"cat", "/home/user/typed"}, &out);
        return out;
    };
    ASSERT_EQ(s().key("Super+2"), "");
    ASSERT_EQ(s().ctl({{"cmd", "type"}, {"text", "alpha-keys"}})["ok"], true);
    ASSERT_TRUE(wait_until([&] { return typed("alpha") == "alpha-keys"; })) << typed("alpha");
    ASSERT_EQ(s().key("Super+3"), "");
    ASSERT_EQ(s().ctl({{"cmd", "type"}, {"text", "beta-keys"}})["ok"], true);
    ASSERT_TRUE(wait_until([&] { return typed("beta") == "beta-keys"; })) << typed("beta");
    EXPECT_EQ(typed("alpha"), "alpha-keys");
}

TEST_F(Containers, ClipboardStaysInItsContainerUntilTheUserMovesIt)
{
    create("alpha");
    create("beta");
    spawn("alpha", {"sleep", "60"});
    spawn("beta", {"sleep", "60"});
    // 10 MB of text made inside alpha; its checksum is compared in beta.
    ASSERT_EQ(exec("alpha", {"sh", "-c", "head -c 7700000 /dev/urandom | base64 > /tmp/payload"}), 0);
    std::string alpha_sum;
    ASSERT_EQ(exec("alpha", {"sh", "-c", "sha256sum < /tmp/payload"}, &alpha_sum), 0);

    ASSERT_EQ(s().key("Super+2"), "");
    spawn("alpha", {"sh", "-c", "exec wl-copy --foreground --type text/plain < /tmp/payload"});
    ASSERT_TRUE(wait_until([&] { return s().ctl({{"cmd", "clipboard"}})["selections"].contains("alpha"); }));

    ASSERT_EQ(s().key("Super+3"), "");
    std::string out;
    EXPECT_NE(exec("beta", {"timeout", "10", "wl-paste", "-n"}, &out), 0);
    EXPECT_TRUE(out.empty());

    ASSERT_EQ(s().key("Super+2"), "");
    ASSERT_EQ(s().key("Super+Shift+c"), "");
    ASSERT_TRUE(wait_until(
        [&] {
            return !s().ctl({{"cmd", "clipboard"}})["buffer"].is_null();
        },
        std::chrono::seconds(20)));
    ASSERT_EQ(s().key("Super+3"), "");
    ASSERT_EQ(s().key("Super+Shift+v"), "");
    std::string beta_sum;
    ASSERT_EQ(exec("beta", {"sh", "-c", "timeout 20 wl-paste -n | sha256sum"}, &beta_sum), 0);
    EXPECT_EQ(beta_sum, alpha_sum);
}

TEST_F(Containers, BadInputGetsOneClearMessage)
{
    std::string out, err;
    EXPECT_NE(s().cli({"spawn", "nosuch", "--", "true"}, &out, &err), 0);
    EXPECT_NE(err.find("container 'nosuch' does not exist"), std::string::npos) << err;
    EXPECT_NE(s().cli({"spawn", "Bad_Name"}, &out, &err), 0);
    EXPECT_NE(err.find("bad container name 'Bad_Name'"), std::string::npos) << err;
    EXPECT_NE(s().cli({"create", "x", "--template", "nosuch"}, &out, &err), 0);
    EXPECT_NE(err.find("template"), std::string::npos) << err;
    EXPECT_NE(s().cli({"destroy", "nosuch"}, &out, &err), 0);
    EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
    EXPECT_NE(s().cli({"exec", "nosuch", "--", "true"}, &out, &err), 0);
    EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
    EXPECT_NE(s().cli({"create", "x", "--memory", "lots"}, &out, &err), 0);
    EXPECT_NE(err.find("--memory"), std::string::npos) << err;
    // No workspace was left behind by the failed spawns.
    EXPECT_EQ(s().status()["workspaces"].size(), 1u);
}

TEST(NoSession, CommandsSayThereIsNoSession)
{
    char tmpl[] = "/tmp/ctopbroker-nosession-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    std::string cmd = "XDG_RUNTIME_DIR=" + std::string(tmpl) + " " + std::getenv("CTOPBROKER_BIN") + " status 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[512] = {};
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    int rc = pclose(p);
    fs::remove_all(tmpl);
    EXPECT_NE(rc, 0);
    EXPECT_NE(std::string(buf, n).find("no ctopbroker session is running"), std::string::npos) << buf;
}

TEST_F(Containers, AnUnprivilegedContainerShowsWaylandAndX11Windows)
{
    create("unpriv");  // unprivileged: the default
    std::string list;
    ASSERT_EQ(s().cli({"list"}, &list), 0);
    EXPECT_NE(list.find("unprivileged"), std::string::npos) << list;
    spawn("unpriv", {"weston-simple-shm"});
    spawn("unpriv", {"xeyes"});
    ASSERT_TRUE(s().wait_views("unpriv", 2, std::chrono::seconds(20)));
    std::string id;
    ASSERT_EQ(exec("unpriv", {"id", "-u"}, &id), 0);
    EXPECT_EQ(id, "1000\n");
    // Only the container's mapped root was let through the private runtime dir.
    std::string acl;
    s().run({"getfacl", "-p", s().runtime_dir().string()}, {}, &acl);
    EXPECT_NE(acl.find("user:100000:--x"), std::string::npos) << acl;
}

namespace {

std::string host_core_pattern()
{
    std::ifstream in("/proc/sys/kernel/core_pattern");
    std::string value;
    std::getline(in, value);
    return value;
}

// As the container's root: writes `value` to kernel.core_pattern through the
// container's /proc/sys, then through a proc of its own (which a root with
// CAP_SYS_ADMIN over the host could mount rw). 0 when either write worked.
std::string write_core_pattern(const std::string& value)
{
    return "echo '" + value +
           "' > /proc/sys/kernel/core_pattern 2>/dev/null && exit 0; "
           "mkdir -p /tmp/p && mount -t proc proc /tmp/p 2>/dev/null && "
           "echo '" +
           value + "' > /tmp/p/sys/kernel/core_pattern 2>/dev/null && exit 0; exit 1";
}

}  // namespace

// Issue 13, item 7: the container's root is not the host's root.
TEST_F(Containers, ADefaultContainersRootCannotWriteHostSysctls)
{
    create("plain");
    std::string out, err;
    ASSERT_EQ(s().cli({"list", "--json"}, &out), 0);
    EXPECT_EQ(json::parse(out)[0]["privilege"], "unprivileged") << out;
    spawn("plain", {"sleep", "60"});
    const std::string before = host_core_pattern();
    EXPECT_NE(s().cli({"exec", "--root", "plain", "--", "sh", "-c", write_core_pattern("|/tmp/pwn %p")}), 0);
    EXPECT_EQ(host_core_pattern(), before);

    // The same write works from a --privileged container (the test's method
    // is sound); it writes the value already there, so the host keeps it.
    ASSERT_EQ(s().cli({"create", "trusted", "--privileged"}, &out, &err), 0) << err;
    created_.push_back("trusted");
    EXPECT_NE(err.find("WARNING: container 'trusted' is privileged"), std::string::npos) << err;
    ASSERT_EQ(s().cli({"list"}, &out, &err), 0);
    EXPECT_NE(err.find("'trusted' is privileged"), std::string::npos) << err;
    spawn("trusted", {"sleep", "60"});
    EXPECT_EQ(s().cli({"exec", "--root", "trusted", "--", "sh", "-c", write_core_pattern(before)}), 0);
    EXPECT_EQ(host_core_pattern(), before);
}

TEST_F(Containers, CreateWithoutSubordinateIdsPointsToSetup)
{
    // nobody has no range in /etc/subuid: create refuses before writing anything.
    std::string err;
    ASSERT_EQ(s().run({"sh", "-c",
                       "setpriv --reuid=nobody --regid=nogroup --clear-groups \"$CTOPBROKER_BIN\" create norange "
                       "2>&1 >/dev/null; echo \"status $?\""},
                      {}, &err),
              0);
    EXPECT_NE(err.find("ctopbroker setup --user nobody"), std::string::npos) << err;
    EXPECT_EQ(err.find("status 0"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(lxcpath_ / "norange"));
}

namespace {

std::string range_of(const char* file, const std::string& user)
{
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(user + ":")) return line.substr(user.size() + 1);
    return "";
}

}  // namespace

TEST(Setup, GivesAUserWithoutIdsAFreeRangeAndALxcpathOnceThenChangesNothing)
{
    if (geteuid() != 0) GTEST_SKIP() << "setup edits /etc/subuid: needs root";
    const std::string user = "ctop-setup-" + std::to_string(getpid() % 100000);
    const std::string home = "/var/tmp/" + user;
    // A system user: useradd gives it no subordinate ids.
    ASSERT_EQ(std::system(("useradd -r -m -d " + home + " " + user).c_str()), 0);
    struct Remove {
        std::string user;
        ~Remove()
        {
            std::system(
                (std::string(std::getenv("CTOPBROKER_BIN")) + " setup --remove-user " + user + " >/dev/null").c_str());
            std::system(("userdel -r " + user + " 2>/dev/null").c_str());
        }
    } remove{user};
    ASSERT_EQ(range_of("/etc/subuid", user), "");

    auto setup = [&](std::string* out) {
        FILE* p = popen((std::string(std::getenv("CTOPBROKER_BIN")) + " setup --user " + user + " 2>&1").c_str(), "r");
        char buf[4096];
        out->clear();
        for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out->append(buf, n);
        return pclose(p);
    };
    std::string out;
    ASSERT_EQ(setup(&out), 0) << out;
    const std::string range = range_of("/etc/subuid", user);
    ASSERT_NE(range, "") << out;
    EXPECT_EQ(range_of("/etc/subgid", user), range);
    EXPECT_NE(out.find("gave " + user + " subordinate uids and gids"), std::string::npos) << out;
    // Nobody else holds any of its ids.
    const unsigned long first = std::stoul(range.substr(0, range.find(':')));
    EXPECT_EQ(range.substr(range.find(':') + 1), "65536");
    std::ifstream in("/etc/subuid");
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(user + ":")) continue;
        auto a = line.find(':'), b = line.find(':', a + 1);
        unsigned long f = std::stoul(line.substr(a + 1, b - a - 1)), n = std::stoul(line.substr(b + 1));
        EXPECT_TRUE(f + n <= first || first + 65536 <= f) << line << " overlaps " << range;
    }
    struct stat st {};
    ASSERT_EQ(stat((home + "/.local/share/lxc").c_str(), &st), 0) << out;
    EXPECT_EQ(st.st_uid, getpwnam(user.c_str())->pw_uid);
    ASSERT_EQ(stat(home.c_str(), &st), 0);
    EXPECT_TRUE(st.st_mode & S_IXOTH);

    ASSERT_EQ(setup(&out), 0) << out;
    EXPECT_NE(out.find("0 changes"), std::string::npos) << out;
    EXPECT_EQ(range_of("/etc/subuid", user), range);
}

namespace {

int run_setup(const std::string& args, std::string* out)
{
    FILE* p = popen((std::string(std::getenv("CTOPBROKER_BIN")) + " setup " + args + " 2>&1").c_str(), "r");
    char buf[4096];
    out->clear();
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out->append(buf, n);
    return pclose(p);
}

std::vector<std::string> usernet_lines_of(const std::string& user)
{
    std::vector<std::string> lines;
    std::ifstream in("/etc/lxc/lxc-usernet");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(user + " ")) lines.push_back(line);
    return lines;
}

size_t usernet_size()
{
    std::ifstream in("/etc/lxc/lxc-usernet");
    size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

// <hierarchy>/ctopbroker/USER on every cgroup hierarchy (v1 or v2) that has one.
std::vector<fs::path> delegated_cgroups_of(const std::string& user)
{
    std::vector<fs::path> out;
    if (fs::is_directory("/sys/fs/cgroup/ctopbroker/" + user)) out.push_back("/sys/fs/cgroup/ctopbroker/" + user);
    std::error_code ec;
    for (const auto& h : fs::directory_iterator("/sys/fs/cgroup", ec))
        if (fs::is_directory(h.path() / "ctopbroker" / user)) out.push_back(h.path() / "ctopbroker" / user);
    return out;
}

}  // namespace

TEST(Setup, UsersSetUpAndRemovedOverAndOverLeaveNoLinesOrCgroupsBehind)
{
    if (geteuid() != 0) GTEST_SKIP() << "setup edits /etc/lxc/lxc-usernet: needs root";
    std::string out;
    size_t baseline = 0;
    const int rounds = 4;
    for (int round = 0; round < rounds; ++round) {
        const std::string user = "ctop-setup-" + std::to_string(getpid() % 100000) + "-" + std::to_string(round);
        SCOPED_TRACE(user);
        ASSERT_EQ(std::system(("useradd -r -m -d /var/tmp/" + user + " " + user).c_str()), 0);
        ASSERT_EQ(run_setup("--user " + user, &out), 0) << out;
        EXPECT_EQ(usernet_lines_of(user).size(), 2u) << out;
        EXPECT_FALSE(delegated_cgroups_of(user).empty()) << out;
        // A second setup changes nothing and adds nothing.
        const size_t lines = usernet_size();
        ASSERT_EQ(run_setup("--user " + user, &out), 0) << out;
        EXPECT_NE(out.find("0 changes"), std::string::npos) << out;
        EXPECT_EQ(usernet_size(), lines);

        if (round < rounds - 1) {
            // The teardown: --remove-user (twice: the second has nothing to do), then userdel.
            ASSERT_EQ(run_setup("--remove-user " + user, &out), 0) << out;
            EXPECT_NE(out.find("lxc-usernet: removed"), std::string::npos) << out;
            ASSERT_EQ(run_setup("--remove-user " + user, &out), 0) << out;
            EXPECT_NE(out.find("0 changes"), std::string::npos) << out;
            EXPECT_EQ(out.find("lxc-usernet"), std::string::npos) << out;
            ASSERT_EQ(std::system(("userdel -r " + user + " 2>/dev/null").c_str()), 0);
        } else {
            // A user deleted without it (a crashed test run): the next setup of anyone clears what it left.
            ASSERT_EQ(std::system(("userdel -r " + user + " 2>/dev/null").c_str()), 0);
            ASSERT_EQ(run_setup("", &out), 0) << out;
            EXPECT_NE(out.find("(no user " + user + ")"), std::string::npos) << out;
        }
        EXPECT_TRUE(usernet_lines_of(user).empty());
        EXPECT_TRUE(delegated_cgroups_of(user).empty());
        std::ifstream record("/var/lib/ctopbroker/setup-users");
        for (std::string line; std::getline(record, line);) EXPECT_NE(line, user) << "still in the boot record";
        if (round == 0) baseline = usernet_size();
        EXPECT_EQ(usernet_size(), baseline) << "/etc/lxc/lxc-usernet grows with each user set up and removed";
    }
}

TEST_F(Containers, ARwShareIsWritableByTheContainersUserAndItsFilesStayTheOwnersAndRoStaysReadOnly)
{
    const fs::path rw = lxcpath_.parent_path() / (lxcpath_.filename().string() + "-rw");
    const fs::path ro = lxcpath_.parent_path() / (lxcpath_.filename().string() + "-ro");
    fs::create_directories(rw);
    fs::create_directories(ro);
    std::ofstream(rw / "from-host") << "hello\n";
    struct Cleanup {
        fs::path a, b;
        ~Cleanup()
        {
            std::error_code ec;
            fs::remove_all(a, ec);
            fs::remove_all(b, ec);
        }
    } cleanup{rw, ro};
    create("sharer", {"--share", rw.string() + ":/home/user/rw:rw", "--share", ro.string() + ":/home/user/ro:ro"});
    spawn("sharer", {"sleep", "60"});
    std::string out;
    // The owner's files are the container user's inside.
    ASSERT_EQ(exec("sharer", {"stat", "-c", "%u:%g", "/home/user/rw/from-host"}, &out), 0);
    EXPECT_EQ(out, "1000:1000\n");
    EXPECT_EQ(
        exec("sharer", {"sh", "-c", "echo made-inside > /home/user/rw/new && echo more >> /home/user/rw/from-host"}),
        0);
    struct stat st {};
    ASSERT_EQ(stat((rw / "new").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 0u) << "written as the share's owner on the host";
    EXPECT_EQ(st.st_gid, 0u);
    std::ifstream in(rw / "from-host");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text, "hello\nmore\n");
    // Read-only stays read-only, for the user and for the container's root.
    EXPECT_NE(exec("sharer", {"touch", "/home/user/ro/x"}), 0);
    EXPECT_NE(s().cli({"exec", "--root", "sharer", "--", "touch", "/home/user/ro/x"}), 0);
    EXPECT_FALSE(fs::exists(ro / "x"));
}

TEST_F(Containers, DoctorFindsNothingWrongAfterSetupAndNamesTheFixForAUserWithoutIds)
{
    std::string out;
    EXPECT_EQ(s().cli({"doctor"}, &out), 0) << out;
    EXPECT_NE(out.find("ok:   subordinate uids and gids for root"), std::string::npos) << out;
    EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
    // nobody has no range, no lxcpath of its own and not this runtime dir.
    ASSERT_EQ(s().run({"sh", "-c",
                       "setpriv --reuid=nobody --regid=nogroup --clear-groups \"$CTOPBROKER_BIN\" doctor; "
                       "echo \"status $?\""},
                      {}, &out),
              0);
    EXPECT_NE(out.find("FAIL: subordinate uids and gids for nobody"), std::string::npos) << out;
    EXPECT_NE(out.find("fix: sudo ctopbroker setup --user nobody"), std::string::npos) << out;
    EXPECT_NE(out.find("status 1"), std::string::npos) << out;
}

namespace {

json agent_of(Session& s, const std::string& container)
{
    json status = s.status();
    for (const auto& ws : status["workspaces"])
        if (ws["name"] == container && ws.contains("agent")) return ws["agent"];
    return json::object();
}

json spawn_reply(Session& s, const std::string& name, std::vector<std::string> argv)
{
    return s.ctl({{"cmd", "spawn"}, {"name", name}, {"argv", argv}, {"lxcpath", std::getenv("CTOPBROKER_LXCPATH")}});
}

// "Uid:\t1 2 3 4" → the first id; the field's whole line otherwise.
std::string status_field(pid_t pid, const std::string& field)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field + ":", 0) == 0) return line.substr(field.size() + 1);
    return {};
}

}  // namespace

TEST_F(Containers, AWarmSpawnStartsTheAppThroughTheContainersAgentAsItsUser)
{
    create("work");
    spawn("work", {"sleep", "60"});  // the first spawn starts the container, then its agent
    ASSERT_TRUE(wait_until([&] { return agent_of(s(), "work").value("pid", -1) > 0; })) << s().log();
    pid_t agent = agent_of(s(), "work")["pid"];

    setenv("CTOPBROKER_SECRET_TOKEN", "hunter2", 1);
    json r = spawn_reply(s(), "work", {"foot", "--app-id", "warm", "sh", "-c", "env > /tmp/warm-env.txt; sleep 60"});
    unsetenv("CTOPBROKER_SECRET_TOKEN");
    ASSERT_TRUE(r.value("ok", false)) << r.dump();
    EXPECT_EQ(r["via"], "agent");
    ASSERT_TRUE(s().wait_views("work", 1));
    EXPECT_EQ(views_of(s(), "work")[0]["app_id"], "warm");
    std::string env;
    ASSERT_TRUE(wait_until([&] { return exec("work", {"cat", "/tmp/warm-env.txt"}, &env) == 0 && !env.empty(); }));
    EXPECT_EQ(env.find("hunter2"), std::string::npos);
    EXPECT_NE(env.find("WAYLAND_DISPLAY=/run/ctopbroker/wayland-0"), std::string::npos) << env;
    EXPECT_NE(env.find("CTOPBROKER_CONTAINER=work"), std::string::npos);

    // The agent is the container's (mapped, unprivileged) user, cannot gain
    // privileges and holds nothing of the host but its socket and the log.
    std::string uids = status_field(agent, "Uid");
    EXPECT_EQ(uids.find("\t0"), std::string::npos) << uids;
    EXPECT_NE(status_field(agent, "NoNewPrivs").find('1'), std::string::npos);
    int fds = 0;
    for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(agent) + "/fd")) (void)e, ++fds;
    EXPECT_EQ(fds, 5)
        << "stdin/stdout (the session's socket), stderr (the log), its signalfd, the container's session bus";
    // It lives in the container's pid namespace, like the worker's apps.
    std::string ours = fs::read_symlink("/proc/" + std::to_string(agent) + "/ns/pid").string();
    std::string theirs;
    ASSERT_EQ(exec("work", {"readlink", "/proc/self/ns/pid"}, &theirs), 0);
    EXPECT_EQ(ours + "\n", theirs);
}

TEST_F(Containers, AKilledAgentIsRestartedByTheNextSpawnAndSpawnStillTellsTheTruth)
{
    create("work");
    spawn("work", {"sleep", "60"});
    ASSERT_TRUE(wait_until([&] { return agent_of(s(), "work").value("pid", -1) > 0; }));
    pid_t first = agent_of(s(), "work")["pid"];
    ASSERT_EQ(kill(first, SIGKILL), 0);
    ASSERT_TRUE(wait_until([&] { return agent_of(s(), "work")["running"] == false; }));

    json r = spawn_reply(s(), "work", {"sleep", "60"});
    ASSERT_TRUE(r.value("ok", false)) << r.dump();
    EXPECT_EQ(r["via"], "worker");
    ASSERT_TRUE(wait_until([&] { return agent_of(s(), "work").value("pid", -1) > 0; }));
    EXPECT_NE(agent_of(s(), "work")["pid"], first);
    EXPECT_EQ(agent_of(s(), "work")["starts"], 2);

    r = spawn_reply(s(), "work", {"sh", "-c", "echo agent-boom; exit 4"});
    EXPECT_FALSE(r.value("ok", true));
    EXPECT_EQ(r["exit_status"], 4);
    EXPECT_NE(r.value("error", "").find("agent-boom"), std::string::npos) << r.dump();
    r = spawn_reply(s(), "work", {"no-such-program-here"});
    EXPECT_NE(r.value("error", "").find("command not found"), std::string::npos) << r.dump();
    EXPECT_TRUE(s().alive());
}

TEST_F(Containers, AppsListsEachContainersDesktopAppsBoundedAndPrintable)
{
    create("alpha");
    create("beta");
    spawn("alpha", {"sleep", "60"});
    spawn("beta", {"sleep", "60"});
    // A user's own app in alpha, a hostile one with escapes in its name, and a
    // FIFO named like a .desktop file that must not hang alpha's agent.
    std::string script =
        "d=/home/user/.local/share/applications; mkdir -p $d; "
        "printf '[Desktop Entry]\\nType=Application\\nName=Alpha Notes\\nExec=mousepad %%F\\nIcon=notes\\n' > "
        "$d/notes.desktop; "
        "printf '[Desktop Entry]\\nType=Application\\nName=Evil\\033[31mRed\\nExec=evil\\n' > $d/evil.desktop; "
        "mkfifo $d/fifo.desktop; chown -R 1000:1000 /home/user/.local";
    ASSERT_EQ(exec("alpha", {"sh", "-c", script}), 0);

    std::string out, err;
    ASSERT_EQ(s().cli({"apps", "--json"}, &out, &err), 0) << err;
    json all = json::parse(out)["apps"];
    auto find = [&](const std::string& container, const std::string& name) {
        for (const auto& a : all[container])
            if (a["name"] == name) return a;
        return json();
    };
    json notes = find("alpha", "Alpha Notes");
    ASSERT_FALSE(notes.is_null()) << out;
    EXPECT_EQ(notes["exec"], "mousepad");
    EXPECT_EQ(notes["icon"], "notes");
    EXPECT_TRUE(find("beta", "Alpha Notes").is_null()) << "alpha's own app shows in beta";
    EXPECT_FALSE(find("alpha", "Evil?[31mRed").is_null()) << out;
    EXPECT_EQ(out.find('\033'), std::string::npos);
    // Both see the host's apps through the shared /usr (foot is a test dependency).
    EXPECT_FALSE(find("alpha", "Foot").is_null());
    EXPECT_FALSE(find("beta", "Foot").is_null());

    ASSERT_EQ(s().cli({"apps", "alpha"}, &out, &err), 0) << err;
    EXPECT_NE(out.find("alpha: Alpha Notes\tmousepad"), std::string::npos) << out;
    EXPECT_EQ(out.find("beta:"), std::string::npos);
    EXPECT_NE(s().cli({"apps", "nosuch"}, &out, &err), 0);
    EXPECT_NE(err.find("has not run"), std::string::npos) << err;
}
