// The liblxc wrapper on real containers, in a throwaway lxcpath under
// /var/tmp that is destroyed even when a test fails. Needs root.
//
// The unprivileged tests need a subordinate id range for root: when
// /etc/subuid or /etc/subgid has none, this test ADDS `root:100000:65536`
// to them for its run and puts the original files back at the end.
#include "container.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace {
using namespace ctop::containers;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string read_file(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& p, const std::string& text)
{
    std::ofstream(p) << text;
}

double ms_since(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// --- /etc/subuid for the unprivileged tests -----------------------------------

class SubordinateIdsForRoot : public ::testing::Environment {
public:
    void SetUp() override
    {
        for (const char* f : {"/etc/subuid", "/etc/subgid"}) {
            std::string text = read_file(f);
            originals_.emplace_back(f, text);
            if (text.find("root:") == std::string::npos) {
                std::cerr << "[containers_test] adding root:100000:65536 to " << f << " for this run\n";
                write_file(f, text + (text.empty() || text.back() == '\n' ? "" : "\n") + "root:100000:65536\n");
            }
        }
    }
    void TearDown() override
    {
        for (const auto& [file, text] : originals_) write_file(file, text);
    }

private:
    std::vector<std::pair<std::string, std::string>> originals_;
};

const auto* subids = ::testing::AddGlobalTestEnvironment(new SubordinateIdsForRoot);

// --- a throwaway lxcpath --------------------------------------------------------

class TempLxcpath {
public:
    TempLxcpath()
    {
        std::string tmpl = "/var/tmp/ctop-containers-test.XXXXXX";
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
        // An unprivileged container's root (host uid 100000) must walk in.
        chmod(path_.c_str(), 0711);
    }
    ~TempLxcpath()
    {
        for (const auto& name : Container::list(path_)) {
            try {
                Container(name, path_).destroy();
            } catch (const std::exception& e) {
                std::cerr << "cleanup: " << e.what() << "\n";
            }
        }
        // No container runs any more, so nothing is mounted below: plain rm -rf.
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

class ContainerTest : public ::testing::Test {
protected:
    TempLxcpath lxcpath;

    ContainerSpec spec(const std::string& name)
    {
        ContainerSpec s;
        s.name = name;
        s.privilege = Privilege::Privileged;
        return s;
    }

    // Runs argv inside as `user` and returns what it printed on stdout.
    static std::string output_of(Container& c, std::vector<std::string> argv, std::vector<std::string> env = {},
                                 uid_t uid = 1000, int* exit_status = nullptr)
    {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
        RunOptions run;
        run.argv = std::move(argv);
        run.env = std::move(env);
        run.uid = uid;
        run.gid = uid;
        run.stdout_fd = fds[1];
        pid_t pid = c.run(run);
        close(fds[1]);
        std::string out;
        char buf[4096];
        for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
        close(fds[0]);
        int status = 0;
        EXPECT_EQ(waitpid(pid, &status, 0), pid);
        if (exit_status) *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return out;
    }

    // Starts `script` as `user` and returns once it printed "ready".
    static pid_t run_until_ready(Container& c, const std::string& script)
    {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
        RunOptions run;
        run.argv = {"sh", "-c", script};
        run.stdout_fd = fds[1];
        pid_t pid = c.run(run);
        close(fds[1]);
        char buf[6] = {};
        EXPECT_EQ(read(fds[0], buf, 5), 5);
        close(fds[0]);
        return pid;
    }

    static int exit_status_of(Container& c, std::vector<std::string> argv, uid_t uid = 1000)
    {
        RunOptions run;
        run.argv = std::move(argv);
        run.uid = uid;
        run.gid = uid;
        return c.run_wait(run);
    }

    // The value of a cgroup v1 file of the container's init, read on the host.
    static std::string cgroup_v1_value(pid_t pid, const std::string& controller, const std::string& file)
    {
        std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
        for (std::string line; std::getline(in, line);) {
            auto first = line.find(':'), second = line.find(':', first + 1);
            std::string controllers = line.substr(first + 1, second - first - 1);
            if (controllers == controller) {
                std::string value = read_file("/sys/fs/cgroup/" + controller + line.substr(second + 1) + "/" + file);
                return value.substr(0, value.find('\n'));
            }
        }
        return "";
    }
};

bool cgroup_v1_host()
{
    return fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes");
}

// --- names and missing containers ------------------------------------------------

TEST_F(ContainerTest, NamesThatCannotBePathsAreRejected)
{
    for (const char* good : {"work", "a", "web-2", "0abc", "abcdefghijabcdefghijabcdefghij1"})
        EXPECT_TRUE(Container::valid_name(good)) << good;
    for (const char* bad : {"", "-x", "Work", "a_b", "a/b", "..", "a b", "abcdefghijabcdefghijabcdefghij12", "é"})
        EXPECT_FALSE(Container::valid_name(bad)) << bad;
    try {
        Container c("../etc", lxcpath.path());
        FAIL() << "a bad name was accepted";
    } catch (const ContainerError& e) {
        EXPECT_NE(std::string(e.what()).find("bad container name '../etc'"), std::string::npos) << e.what();
    }
}

TEST_F(ContainerTest, EveryOperationOnAMissingContainerSaysHowToCreateIt)
{
    Container ghost("ghost", lxcpath.path());
    EXPECT_FALSE(ghost.exists());
    EXPECT_FALSE(ghost.running());
    EXPECT_EQ(ghost.init_pid(), -1);
    auto expect_clear = [](auto&& op) {
        try {
            op();
            ADD_FAILURE() << "no error for a missing container";
        } catch (const ContainerError& e) {
            std::string m = e.what();
            EXPECT_NE(m.find("container 'ghost' does not exist"), std::string::npos) << m;
            EXPECT_NE(m.find("ctopbroker create ghost"), std::string::npos) << m;
        }
    };
    expect_clear([&] { ghost.start(); });
    expect_clear([&] { ghost.stop(); });
    expect_clear([&] { ghost.destroy(); });
    expect_clear([&] { ghost.update_mounts({}); });
    expect_clear([&] { ghost.privilege(); });
    expect_clear([&] { ghost.host_uid(1000); });
    expect_clear([&] { ghost.run_wait({.argv = {"true"}}); });
}

TEST_F(ContainerTest, AFailedCreateLeavesNothingBehind)
{
    Container c("broken", lxcpath.path());
    ContainerSpec s = spec("broken");
    s.mounts.push_back({"/tmp", "relative/path"});
    EXPECT_THROW(c.create(s), ContainerError);
    s.mounts = {};
    s.template_name = "arch";
    EXPECT_THROW(c.create(s), ContainerError);
    EXPECT_FALSE(c.exists());
    EXPECT_FALSE(fs::exists(lxcpath.path() / "broken"));
}

TEST_F(ContainerTest, DebianTemplateWithoutDebootstrapSaysWhatToInstall)
{
    if (fs::exists("/usr/sbin/debootstrap")) GTEST_SKIP() << "debootstrap is installed (and the test has no network)";
    Container c("deb", lxcpath.path());
    ContainerSpec s = spec("deb");
    s.template_name = "debian";
    try {
        c.create(s);
        FAIL() << "created without debootstrap";
    } catch (const ContainerError& e) {
        EXPECT_NE(std::string(e.what()).find("apt-get install debootstrap"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(lxcpath.path() / "deb"));
}

// Opt-in (needs debootstrap, deb.debian.org and ~45 s): CTOP_TEST_DEBOOTSTRAP=1.
TEST_F(ContainerTest, DebianTemplateBootstrapsAnUnprivilegedBookworm)
{
    if (!std::getenv("CTOP_TEST_DEBOOTSTRAP")) GTEST_SKIP() << "set CTOP_TEST_DEBOOTSTRAP=1 to run (network, ~45 s)";
    Container c("bookworm", lxcpath.path());
    ContainerSpec s = spec("bookworm");
    s.template_name = "debian";
    s.privilege = Privilege::Unprivileged;
    c.create(s);
    c.start();
    EXPECT_EQ(output_of(c, {"id", "-un"}), "user\n");
    EXPECT_EQ(output_of(c, {"sh", "-c", "cut -d. -f1 /etc/debian_version"}), "12\n");
    // Shifting ownership kept the setuid bit (chown clears it).
    EXPECT_EQ(output_of(c, {"stat", "-c", "%A %u", "/usr/bin/passwd"}), "-rwsr-xr-x 0\n");
    c.destroy();
}

// --- the life cycle -------------------------------------------------------------

TEST_F(ContainerTest, PrivilegedContainerFromCreateToDestroy)
{
    // A host directory to share, and one the container must never see.
    fs::path shared = lxcpath.path() / "shared";
    fs::create_directories(shared);
    write_file(shared / "hello", "from the host\n");
    fs::path host_only = lxcpath.path() / "host-only";
    fs::create_directories(host_only);

    Container c("work", lxcpath.path());
    ContainerSpec s = spec("work");
    s.memory_limit_bytes = 64ull << 20;
    s.pids_limit = 64;
    s.mounts.push_back({shared, "/mnt/shared", true, false});

    auto t0 = Clock::now();
    c.create(s);
    double create_ms = ms_since(t0);
    EXPECT_TRUE(c.exists());
    EXPECT_EQ(c.state(), "STOPPED");
    EXPECT_EQ(c.privilege(), Privilege::Privileged);
    EXPECT_EQ(c.host_uid(1000), 1000u);
    EXPECT_EQ(Container::list(lxcpath.path()), std::vector<std::string>{"work"});

    t0 = Clock::now();
    c.start();
    double start_ms = ms_since(t0);
    EXPECT_TRUE(c.running());
    EXPECT_EQ(c.state(), "RUNNING");
    ASSERT_GT(c.init_pid(), 0);
    c.start();  // already running: nothing happens

    // The user story: apps run as `user`, see nothing of the host's environment.
    t0 = Clock::now();
    EXPECT_EQ(output_of(c, {"id", "-u"}), "1000\n");
    double attach_ms = ms_since(t0);
    EXPECT_EQ(output_of(c, {"sh", "-c", "echo $HOME"}, {"HOME=/home/user"}), "/home/user\n");
    setenv("CTOP_HOST_SECRET", "leaked", 1);
    std::string env = output_of(c, {"env"}, {"FROM_BROKER=yes"});
    unsetenv("CTOP_HOST_SECRET");
    EXPECT_EQ(env.find("CTOP_HOST_SECRET"), std::string::npos) << env;
    EXPECT_NE(env.find("FROM_BROKER=yes"), std::string::npos) << env;

    // The shared directory is there, read-only; the rest of the host is not.
    EXPECT_EQ(output_of(c, {"cat", "/mnt/shared/hello"}), "from the host\n");
    EXPECT_NE(exit_status_of(c, {"touch", "/mnt/shared/new"}, 0), 0);
    EXPECT_NE(exit_status_of(c, {"test", "-e", host_only.string()}), 0);
    EXPECT_NE(exit_status_of(c, {"touch", "/usr/bin/ctop-was-here"}, 0), 0);
    EXPECT_FALSE(fs::exists("/usr/bin/ctop-was-here"));
    EXPECT_EQ(exit_status_of(c, {"touch", "/home/user/notes", "/tmp/scratch"}), 0);

    // Limits land in the container's cgroup.
    if (cgroup_v1_host()) {
        EXPECT_EQ(cgroup_v1_value(c.init_pid(), "memory", "memory.limit_in_bytes"), std::to_string(64 << 20));
        EXPECT_EQ(cgroup_v1_value(c.init_pid(), "pids", "pids.max"), "64");
    }

    t0 = Clock::now();
    c.stop();
    double stop_ms = ms_since(t0);
    EXPECT_FALSE(c.running());
    EXPECT_EQ(c.state(), "STOPPED");
    EXPECT_EQ(c.init_pid(), -1);

    t0 = Clock::now();
    c.destroy();
    double destroy_ms = ms_since(t0);
    EXPECT_FALSE(c.exists());
    EXPECT_FALSE(fs::exists(lxcpath.path() / "work"));
    std::cout << "[timing] create " << create_ms << " ms, start " << start_ms << " ms, attach+wait " << attach_ms
              << " ms, stop " << stop_ms << " ms, destroy " << destroy_ms << " ms\n";
}

TEST_F(ContainerTest, RunReturnsAChildWeCanWaitFor)
{
    Container c("kids", lxcpath.path());
    c.create(spec("kids"));
    c.start();
    RunOptions run;
    run.argv = {"sh", "-c", "exit 7"};
    pid_t pid = c.run(run);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 7);
    EXPECT_EQ(c.run_wait(run), 7);
    run.argv = {"sh", "-c", "kill -9 $$"};
    EXPECT_EQ(c.run_wait(run), 128 + 9);
    // A program that is not there fails inside, like a shell would say.
    run.argv = {"/no/such/program"};
    EXPECT_NE(c.run_wait(run), 0);
}

TEST_F(ContainerTest, StopLetsAppsCleanUpAndKillsWhatIgnoresIt)
{
    Container c("apps", lxcpath.path());
    c.create(spec("apps"));
    c.start();
    pid_t polite_pid = run_until_ready(c, "trap 'sleep 0.3; echo saved > /home/user/state; exit 0' TERM; echo ready; "
                                          "while :; do sleep 0.05; done");
    auto t0 = Clock::now();
    c.stop();
    double polite_ms = ms_since(t0);
    EXPECT_FALSE(c.running());
    EXPECT_EQ(read_file(lxcpath.path() / "apps/rootfs/home/user/state"), "saved\n");
    // It took its 0.3 s to save; the rest of the container waited for it.
    EXPECT_GT(polite_ms, 300);
    EXPECT_LT(polite_ms, 900);
    // stop() reaped it: its zombie would have kept the container alive.
    EXPECT_EQ(waitpid(polite_pid, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);

    c.start();
    run_until_ready(c, "trap '' TERM; echo ready; while :; do sleep 0.05; done");
    t0 = Clock::now();
    c.stop(std::chrono::seconds(3));
    double stubborn_ms = ms_since(t0);
    EXPECT_FALSE(c.running());
    // init.lxc SIGKILLs everything 1 s after the SIGTERM.
    EXPECT_GT(stubborn_ms, 900);
    EXPECT_LT(stubborn_ms, 2500);
    std::cout << "[timing] stop: polite app " << polite_ms << " ms, app ignoring SIGTERM " << stubborn_ms << " ms\n";
}

TEST_F(ContainerTest, ConfigIsWrittenAtomicallyAndLxcToolsReadIt)
{
    fs::path a = lxcpath.path() / "a", b = lxcpath.path() / "b with space";
    fs::create_directories(a);
    fs::create_directories(b);
    Container c("tools", lxcpath.path());
    ContainerSpec s = spec("tools");
    s.mounts.push_back({a, "/mnt/a"});
    c.create(s);

    const fs::path dir = lxcpath.path() / "tools";
    auto no_temp_files = [&] {
        for (const auto& e : fs::directory_iterator(dir))
            EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
    };
    no_temp_files();
    std::string config = read_file(dir / "config");
    EXPECT_NE(config.find("lxc.net.0.type = empty"), std::string::npos) << config;
    EXPECT_EQ(config.find("lxcbr0"), std::string::npos) << config;
    EXPECT_NE(config.find(a.string() + " mnt/a none bind,create=dir 0 0"), std::string::npos) << config;

    c.update_mounts({{b, "/mnt/b", true, false}});
    no_temp_files();
    config = read_file(dir / "config");
    EXPECT_EQ(config.find("mnt/a"), std::string::npos) << config;
    EXPECT_NE(config.find("b\\040with\\040space mnt/b none bind,ro,create=dir"), std::string::npos) << config;
    // The rest is untouched.
    EXPECT_NE(config.find("lxc.include = /usr/share/lxc/config/common.conf"), std::string::npos) << config;
    EXPECT_NE(config.find("/usr usr none bind,ro"), std::string::npos) << config;

    // The lxc-* tools see the same container.
    std::string P = lxcpath.path().string();
    EXPECT_EQ(std::system(("lxc-info -P '" + P + "' -n tools -s | grep -q STOPPED").c_str()), 0);
    EXPECT_EQ(std::system(("lxc-ls -P '" + P + "' | grep -qw tools").c_str()), 0);

    // The new mount (path with a space) works.
    write_file(b / "f", "b\n");
    c.start();
    EXPECT_EQ(output_of(c, {"cat", "/mnt/b/f"}), "b\n");
    EXPECT_EQ(std::system(("lxc-info -P '" + P + "' -n tools -s | grep -q RUNNING").c_str()), 0);
    EXPECT_NE(exit_status_of(c, {"test", "-e", "/mnt/a"}), 0);
}

TEST_F(ContainerTest, MissingMountSourceIsNamedAtStart)
{
    Container c("gone", lxcpath.path());
    ContainerSpec s = spec("gone");
    s.mounts.push_back({lxcpath.path() / "not-yet", "/mnt/x"});
    c.create(s);
    try {
        c.start();
        FAIL() << "started without its mount source";
    } catch (const ContainerError& e) {
        EXPECT_NE(std::string(e.what()).find("not-yet"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(c.running());
}

TEST_F(ContainerTest, UnprivilegedContainerRunsAsMappedHostIds)
{
    Container c("jail", lxcpath.path());
    ContainerSpec s = spec("jail");
    s.privilege = Privilege::Unprivileged;
    s.memory_limit_bytes = 32ull << 20;
    auto t0 = Clock::now();
    c.create(s);
    double create_ms = ms_since(t0);
    EXPECT_EQ(c.privilege(), Privilege::Unprivileged);
    const uid_t root = c.host_uid(0), user = c.host_uid(1000);
    EXPECT_GE(root, 100000u);  // whatever range /etc/subuid gives root
    EXPECT_EQ(user, root + 1000);
    EXPECT_EQ(c.host_gid(1000), c.host_gid(0) + 1000);
    EXPECT_EQ(fs::status(lxcpath.path() / "jail/rootfs").permissions() & fs::perms::others_exec,
              fs::perms::others_exec);
    struct stat home {};
    ASSERT_EQ(stat((lxcpath.path() / "jail/rootfs/home/user").c_str(), &home), 0);
    EXPECT_EQ(home.st_uid, user);

    t0 = Clock::now();
    c.start();
    double start_ms = ms_since(t0);
    ASSERT_TRUE(c.running());
    EXPECT_EQ(output_of(c, {"id", "-u"}), "1000\n");
    EXPECT_EQ(output_of(c, {"id", "-u"}, {}, 0), "0\n");
    // On the host, the container's init is the mapped root, not root.
    struct stat init {};
    ASSERT_EQ(stat(("/proc/" + std::to_string(c.init_pid())).c_str(), &init), 0);
    EXPECT_EQ(init.st_uid, root);
    EXPECT_EQ(exit_status_of(c, {"sh", "-c", "echo hi > /home/user/file"}), 0);
    struct stat file {};
    ASSERT_EQ(stat((lxcpath.path() / "jail/rootfs/home/user/file").c_str(), &file), 0);
    EXPECT_EQ(file.st_uid, user);
    // Root inside cannot write the host's /usr even where it looks like root.
    EXPECT_NE(exit_status_of(c, {"touch", "/usr/bin/ctop-was-here"}, 0), 0);
    if (cgroup_v1_host()) {
        EXPECT_EQ(cgroup_v1_value(c.init_pid(), "memory", "memory.limit_in_bytes"), std::to_string(32 << 20));
    }
    t0 = Clock::now();
    c.stop();
    double stop_ms = ms_since(t0);
    c.destroy();
    EXPECT_FALSE(fs::exists(lxcpath.path() / "jail"));
    std::cout << "[timing] unprivileged: create " << create_ms << " ms, start " << start_ms << " ms, stop " << stop_ms
              << " ms\n";
}

TEST_F(ContainerTest, HostGuiAppsLoadInsideTheMinimalTemplate)
{
    Container c("gui", lxcpath.path());
    c.create(spec("gui"));
    c.start();
    int tried = 0;
    for (const char* app : {"foot", "weston-simple-shm", "wayland-info", "wl-copy", "xeyes", "pw-play", "fc-match"}) {
        if (!fs::exists(fs::path("/usr/bin") / app)) continue;
        ++tried;
        // No display inside: each fails to connect, but only after loading.
        std::string out = output_of(c, {"sh", "-c", std::string(app) + " --version 2>&1 </dev/null; true"},
                                    {"HOME=/home/user", "XDG_RUNTIME_DIR=/tmp"});
        EXPECT_EQ(out.find("error while loading shared libraries"), std::string::npos) << app << ": " << out;
        EXPECT_EQ(out.find("not found"), std::string::npos) << app << ": " << out;
    }
    if (tried == 0) GTEST_SKIP() << "none of the GUI apps is installed on this host";
}

// The core of ctopbroker: a compositor socket bound into the container is
// the only display its apps reach. weston stands in for our compositor.
TEST_F(ContainerTest, AWaylandClientInsideReachesTheHostCompositorThroughTheBoundSocket)
{
    if (!fs::exists("/usr/bin/weston") || !fs::exists("/usr/bin/wayland-info"))
        GTEST_SKIP() << "needs weston and wayland-info";
    fs::path runtime = lxcpath.path() / "runtime";
    fs::create_directories(runtime);
    chmod(runtime.c_str(), 0755);
    pid_t weston = fork();
    if (weston == 0) {
        setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 2);
        execl("/usr/bin/weston", "weston", "--backend=headless-backend.so", "--socket=wayland-0", "--idle-time=0",
              "--shell=desktop-shell.so", nullptr);
        _exit(127);
    }
    struct KillOnExit {
        pid_t pid;
        ~KillOnExit()
        {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
    } kill_weston{weston};
    const fs::path socket = runtime / "wayland-0";
    for (int i = 0; i < 300 && !fs::exists(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(fs::exists(socket)) << "weston did not start";
    chmod(socket.c_str(), 0777);  // the container's user is not root (nor host root, unprivileged)

    for (Privilege privilege : {Privilege::Privileged, Privilege::Unprivileged}) {
        const std::string name = privilege == Privilege::Privileged ? "wl-priv" : "wl-unpriv";
        Container c(name, lxcpath.path());
        ContainerSpec s = spec(name);
        s.privilege = privilege;
        s.mounts.push_back({runtime, "/run/ctopbroker", true, false});
        c.create(s);
        c.start();
        std::string out =
            output_of(c, {"wayland-info"}, {"XDG_RUNTIME_DIR=/tmp", "WAYLAND_DISPLAY=/run/ctopbroker/wayland-0"});
        EXPECT_NE(out.find("wl_compositor"), std::string::npos) << to_string(privilege) << ": " << out;
        c.destroy();
    }
}

TEST_F(ContainerTest, UnprivilegedNeedsATraversableLxcpath)
{
    fs::path closed = lxcpath.path() / "closed";
    fs::create_directories(closed);
    chmod(closed.c_str(), 0700);
    Container c("walled", closed);
    ContainerSpec s = spec("walled");
    s.privilege = Privilege::Unprivileged;
    try {
        c.create(s);
        FAIL() << "created where its root cannot enter";
    } catch (const ContainerError& e) {
        EXPECT_NE(std::string(e.what()).find("chmod o+x " + closed.string()), std::string::npos) << e.what();
    }
}

}  // namespace
