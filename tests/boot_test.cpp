// After a reboot, and at the display manager: a normal user (the harness's
// CTOPBROKER_TEST_USER, set up once with `ctopbroker setup --user`) logs in.
//
// The whole executable runs on a "machine" of its own it can reboot without
// touching the real one (other sessions run there): a network namespace (the
// bridges, nftables tables and dnsmasq setup makes live in it, wired to a fake
// internet host in a second namespace; no packet leaves this machine) and a
// mount namespace with a fresh /tmp and sysfs. The reboot removes what a real
// one removes: the bridges, the nftables tables, dnsmasq and its /run state,
// the user's delegated cgroup subtree, /tmp/.X11-unix and IPv4 forwarding.
#include "support/container_test.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;

extern char** environ;

namespace {

std::string ip_tool()
{
    return fs::exists("/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip";
}

int sh(const std::string& command)
{
    return std::system(command.c_str());
}

// Runs a shell command; its exit status, stdout and stderr in *out.
int sh_output(const std::string& command, std::string* out)
{
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p) return -1;
    char buf[512];
    while (fgets(buf, sizeof buf, p)) *out += buf;
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string real_binary()
{
    return std::getenv("CTOPBROKER_BIN");
}

struct Machine {
    fs::path dir;  // the net state dir, the cgroup mount's way-station
    std::string internet_ns;
    pid_t internet_server = -1;
};
Machine* machine = nullptr;

// The test's own machine: see the file comment.
class PrivateMachine : public ::testing::Environment {
public:
    void SetUp() override
    {
        if (geteuid() != 0) return;  // every test skips
        machine = new Machine();
        Machine& m = *machine;
        char tmpl[] = "/var/tmp/ctopbroker-boot-XXXXXX";
        ASSERT_TRUE(mkdtemp(tmpl));
        m.dir = tmpl;
        fs::permissions(m.dir, fs::perms::others_exec | fs::perms::group_exec, fs::perm_options::add);
        // Only the main thread runs tests: every process the tests start inherits these.
        ASSERT_EQ(unshare(CLONE_NEWNS | CLONE_NEWNET), 0) << std::strerror(errno);
        ASSERT_EQ(mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr), 0) << std::strerror(errno);
        // liblxc looks for bridges in /sys/class/net: a sysfs of this network
        // namespace, with the host's cgroup mounts moved back on top (as `ip
        // netns exec` does; a sysfs only partly covered would make the kernel
        // refuse the unprivileged containers' own sysfs).
        const fs::path cgroups = m.dir / "cgroup";
        fs::create_directories(cgroups);
        ASSERT_EQ(mount("/sys/fs/cgroup", cgroups.c_str(), nullptr, MS_BIND | MS_REC, nullptr), 0);
        ASSERT_EQ(mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr), 0);
        ASSERT_EQ(mount(cgroups.c_str(), "/sys/fs/cgroup", nullptr, MS_MOVE, nullptr), 0) << std::strerror(errno);
        // A /tmp of its own: /tmp/.X11-unix can go without other sessions noticing.
        // A checkout under /tmp (a CI clone there) is bound back into it,
        // through a way-station unmounted at once (TearDown removes m.dir).
        const fs::path binary = fs::absolute(real_binary());
        auto part = binary.begin();
        const bool under_tmp =
            binary.string().rfind("/tmp/", 0) == 0 && ++part != binary.end() && ++part != binary.end();
        const fs::path host_tmp = m.dir / "host-tmp";
        if (under_tmp) {
            fs::create_directories(host_tmp);
            ASSERT_EQ(mount("/tmp", host_tmp.c_str(), nullptr, MS_BIND | MS_REC, nullptr), 0) << std::strerror(errno);
        }
        ASSERT_EQ(mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"), 0);
        if (under_tmp) {
            fs::create_directories(fs::path("/tmp") / *part);
            ASSERT_EQ(mount((host_tmp / *part).c_str(), (fs::path("/tmp") / *part).c_str(), nullptr, MS_BIND | MS_REC,
                            nullptr),
                      0)
                << std::strerror(errno);
            ASSERT_EQ(umount2(host_tmp.c_str(), MNT_DETACH), 0) << std::strerror(errno);
            fs::remove(host_tmp);
        }
        build_network();
    }

    void TearDown() override
    {
        if (!machine) return;
        if (machine->internet_server > 0) {
            kill(machine->internet_server, SIGKILL);
            waitpid(machine->internet_server, nullptr, 0);
        }
        kill_dnsmasq();
        sh(ip_tool() + " netns del " + machine->internet_ns + " 2>/dev/null");
        std::error_code ec;
        umount2((machine->dir / "host-tmp").c_str(), MNT_DETACH);  // left bound only if SetUp failed there
        fs::remove_all(machine->dir, ec);
        delete machine;
        machine = nullptr;
    }

    static void kill_dnsmasq()
    {
        std::ifstream pidfile(machine->dir / "net" / "dnsmasq.pid");
        pid_t pid = 0;
        if (!(pidfile >> pid) || pid <= 0) return;
        kill(pid, SIGKILL);
        wait_until([&] { return kill(pid, 0) != 0; }, std::chrono::seconds(5));
    }

private:
    // The uplink: a fake internet host (203.0.113.10, internet.test in the
    // bridge's DNS) serving one page.
    void build_network()
    {
        Machine& m = *machine;
        const std::string ip = ip_tool();
        m.internet_ns = "ctb-" + std::to_string(getpid()) + "-i";
        ASSERT_EQ(sh(ip + " link set lo up"), 0);
        ASSERT_EQ(sh(ip + " netns add " + m.internet_ns), 0);
        const std::string I = "-n " + m.internet_ns;
        for (const std::string& c : {"link add up-i type veth peer name eth0 netns " + m.internet_ns,
                                     std::string("addr add 203.0.113.1/24 dev up-i"), std::string("link set up-i up"),
                                     std::string("route add default via 203.0.113.10"), I + " link set lo up",
                                     I + " addr add 203.0.113.10/24 dev eth0", I + " link set eth0 up"})
            ASSERT_EQ(sh(ip + " " + c), 0) << c;
        fs::create_directories(m.dir / "www");
        std::ofstream(m.dir / "www" / "index.html") << "internet-page\n";
        std::vector<std::string> args{ip,   "netns", "exec", m.internet_ns,           "busybox", "httpd", "-f",
                                      "-p", "80",    "-h",   (m.dir / "www").string()};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ASSERT_EQ(posix_spawn(&m.internet_server, argv[0], nullptr, nullptr, argv.data(), environ), 0);
        // What the machine's admin configured for the containers' DNS: it
        // survives a reboot (the rest of the state dir, like /run, does not).
        fs::create_directories(m.dir / "net" / "dnsmasq.d");
        fs::permissions(m.dir / "net", fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
        std::ofstream(m.dir / "net" / "hosts") << "203.0.113.10 internet.test\n";
        std::ofstream(m.dir / "net" / "dnsmasq.d" / "test.conf") << "local=/test/\n";
        setenv("CTOPBROKER_NET_DIR", (m.dir / "net").c_str(), 1);
    }
};
const auto* private_machine = ::testing::AddGlobalTestEnvironment(new PrivateMachine);

// Every cgroup hierarchy's mount point, as the harness's user's subtree sits in each.
std::vector<fs::path> cgroup_hierarchies()
{
    std::vector<fs::path> out;
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
        std::istringstream f(line);
        std::string id, parent, dev, root, mountpoint, word, fstype;
        f >> id >> parent >> dev >> root >> mountpoint;
        while (f >> word && word != "-") {
        }
        f >> fstype;
        if (root == "/" && (fstype == "cgroup" || fstype == "cgroup2")) out.emplace_back(mountpoint);
    }
    return out;
}

// rmdir, deepest first (a cgroup directory goes only when empty of children).
bool remove_cgroup_tree(const fs::path& dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return true;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_directory(ec) && !remove_cgroup_tree(e.path())) return false;
    return rmdir(dir.c_str()) == 0;
}

// A shell command as the test user, in the environment a login gives it.
std::string as_user(const std::string& command, const std::string& runtime_dir)
{
    const TestUser& u = *test_user();
    return "setpriv --reuid=" + std::to_string(u.uid) + " --regid=" + std::to_string(u.gid) +
           " --init-groups env -i HOME=" + u.home + " USER=" + u.name + " LOGNAME=" + u.name +
           " PATH=/usr/bin:/bin XDG_RUNTIME_DIR=" + runtime_dir +
           " CTOPBROKER_NET_DIR=" + std::getenv("CTOPBROKER_NET_DIR") + " sh -c '" + command + "'";
}

class AfterReboot : public ContainerTest {
protected:
    static constexpr const char* kDeletedUser = "ctop-deleted-since";

    void SetUp() override
    {
        if (geteuid() != 0) GTEST_SKIP() << "namespaces, cgroups and users need root";
        ASSERT_NE(machine, nullptr);
        ASSERT_NE(test_user(), nullptr) << "runs with CTOPBROKER_TEST_USER set (tests/meson.build)";
        // The user was set up (test_user() ran `ctopbroker setup --user`); the machine reboots.
        reboot();
        ASSERT_EQ(sh_output(doctor(), &doctor_before_), 1) << doctor_before_;
        boot_status_ = sh_output(real_binary() + " setup --boot", &boot_output_);
        ContainerTest::SetUp();  // the user logs in: a session of theirs
    }

    void TearDown() override
    {
        ContainerTest::TearDown();
        std::error_code ec;
        fs::remove_all(runtime_dir_, ec);
    }

    void reboot()
    {
        const std::string ip = ip_tool();
        for (const char* bridge : {"ctop-inet", "ctop-lan"}) ASSERT_EQ(sh(ip + " link del " + bridge), 0) << bridge;
        for (const char* family : {"inet", "bridge"})
            ASSERT_EQ(sh(std::string("nft delete table ") + family + " ctopbroker"), 0) << family;
        PrivateMachine::kill_dnsmasq();
        for (const char* file : {"dnsmasq.pid", "leases", "dnsmasq.log"}) fs::remove(machine->dir / "net" / file);
        std::ofstream("/proc/sys/net/ipv4/ip_forward") << "0";
        for (const fs::path& h : cgroup_hierarchies())
            ASSERT_TRUE(remove_cgroup_tree(h / "ctopbroker" / test_user()->name))
                << "cannot remove " << (h / "ctopbroker" / test_user()->name) << ": " << std::strerror(errno);
        fs::remove_all("/tmp/.X11-unix");
        // A user set up once and deleted since (userdel leaves the record).
        ASSERT_EQ(getpwnam(kDeletedUser), nullptr);
        std::ofstream("/var/lib/ctopbroker/setup-users", std::ios::app) << kDeletedUser << "\n";
        // logind's /run/user/UID for the doctor runs; the session gets the harness's own.
        runtime_dir_ = machine->dir / ("run-user-" + std::to_string(test_user()->uid));
        fs::create_directories(runtime_dir_);
        ASSERT_EQ(chown(runtime_dir_.c_str(), test_user()->uid, test_user()->gid), 0);
        fs::permissions(runtime_dir_, fs::perms::owner_all, fs::perm_options::replace);
    }

    std::string doctor() const { return as_user(real_binary() + " doctor", runtime_dir_.string()); }

    fs::path runtime_dir_;
    std::string doctor_before_, boot_output_;
    int boot_status_ = -1;
};

TEST_F(AfterReboot, SetupBootAloneBringsBackTheNetworkCgroupsAndX11ForTheUsersSession)
{
    // Before: the reboot took what the user's containers need.
    EXPECT_NE(doctor_before_.find("a cgroup subtree " + test_user()->name), std::string::npos) << doctor_before_;
    EXPECT_NE(doctor_before_.find("(missing: bridge ctop-inet, bridge ctop-lan, dnsmasq"), std::string::npos)
        << doctor_before_;
    EXPECT_NE(doctor_before_.find("sudo ctopbroker setup --boot"), std::string::npos) << doctor_before_;

    // setup --boot re-created each part, and for this user because setup
    // recorded it; a recorded user deleted since is dropped, not an error.
    ASSERT_EQ(boot_status_, 0) << boot_output_;
    EXPECT_NE(boot_output_.find(std::string("removed ") + kDeletedUser + " (no such user)"), std::string::npos)
        << boot_output_;
    for (const std::string& part : std::vector<std::string>{
             "re-creating what a reboot removed, for", "created bridge ctop-inet", "created bridge ctop-lan",
             "IPv4 forwarding on", "nftables tables inet ctopbroker and bridge ctopbroker installed", "started dnsmasq",
             "created cgroup", "/ctopbroker/" + test_user()->name, "created /tmp/.X11-unix, mode 1777"})
        EXPECT_NE(boot_output_.find(part), std::string::npos) << "no '" << part << "' in:\n" << boot_output_;
    std::ifstream record("/var/lib/ctopbroker/setup-users");
    std::stringstream names;
    names << record.rdbuf();
    EXPECT_NE(names.str().find("\n" + test_user()->name + "\n"), std::string::npos) << names.str();
    EXPECT_EQ(names.str().find(kDeletedUser), std::string::npos) << names.str();
    struct stat x11 {};
    ASSERT_EQ(lstat("/tmp/.X11-unix", &x11), 0);
    EXPECT_TRUE(S_ISDIR(x11.st_mode) && x11.st_uid == 0 && (x11.st_mode & 07777) == 01777);
    std::string doctor_after;
    EXPECT_EQ(sh_output(doctor(), &doctor_after), 0) << doctor_after;

    // A second run (the unit started twice, or by hand) changes nothing.
    std::string again;
    ASSERT_EQ(sh_output(real_binary() + " setup --boot", &again), 0) << again;
    for (const char* changed : {"created", "started", "installed", "forwarding on", "chmod"})
        EXPECT_EQ(again.find(changed), std::string::npos) << "'" << changed << "' in the second run:\n" << again;

    // The user's session (ContainerTest's, as the user): a container with
    // the internet, a Wayland app and an X11 app.
    create("web", {"--network", "internet"});
    spawn("web", {"weston-simple-shm"});
    ASSERT_TRUE(s().wait_views("web", 1, std::chrono::seconds(30))) << s().log();
    std::string address;
    bool leased = wait_until(
        [&] {
            std::string resolv, out;
            exec("web", {"cat", "/etc/resolv.conf"}, &resolv);
            if (s().cli({"list", "--json"}, &out) != 0) return false;
            for (const auto& e : json::parse(out, nullptr, false))
                if (e.value("name", "") == "web" && e["address"].is_string()) address = e["address"];
            return resolv.find("nameserver 10.213.0.1") != std::string::npos && !address.empty();
        },
        std::chrono::seconds(30));
    ASSERT_TRUE(leased) << "web got no DHCP lease from the dnsmasq setup --boot started\n" << s().log();
    std::string page, err;
    EXPECT_EQ(s().cli({"exec", "web", "--", "curl", "-sSf", "-m", "5", "http://internet.test/"}, &page, &err), 0)
        << err;
    EXPECT_EQ(page, "internet-page\n");

    spawn("web", {"xeyes"});
    ASSERT_TRUE(s().wait_views("web", 2, std::chrono::seconds(40))) << s().log();
    bool x11_view = false;
    for (const auto& v : s().views()) x11_view |= v.value("kind", "") == "x11";
    EXPECT_TRUE(x11_view) << "xeyes came up through the container's Xwayland";
}

// `meson install` into a directory of the test's own: what a machine gets
// from `scripts/run install` (prefix /usr/local), without touching /usr/local.
class Installed : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (geteuid() != 0) GTEST_SKIP() << "users and their /run/user need root";
        ASSERT_NE(machine, nullptr);
        ASSERT_NE(test_user(), nullptr) << "runs with CTOPBROKER_TEST_USER set (tests/meson.build)";
        destdir_ = machine->dir / "destdir";
        if (!fs::exists(destdir_ / "usr/local/bin/ctopbroker")) {
            std::string out;
            ASSERT_EQ(sh_output("meson install --no-rebuild --quiet -C " +
                                    std::string(std::getenv("CTOPBROKER_BUILD_ROOT")) + " --destdir " +
                                    destdir_.string(),
                                &out),
                      0)
                << out;
        }
        // The user runs what is in there.
        for (fs::path p = destdir_; p != machine->dir; p = p.parent_path())
            fs::permissions(p, fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
        fs::permissions(machine->dir, fs::perms::others_exec, fs::perm_options::add);
    }

    fs::path destdir_;
};

TEST_F(Installed, TheBootUnitRunsSetupBootBeforeTheDisplayManagerAndSystemdAcceptsIt)
{
    const fs::path unit = destdir_ / "lib/systemd/system/ctopbroker-setup.service";
    std::ifstream in(unit);
    ASSERT_TRUE(in) << "meson installed no " << unit;
    std::stringstream text;
    text << in.rdbuf();
    for (const char* line : {"ExecStart=/usr/local/bin/ctopbroker setup --boot\n", "Type=oneshot\n",
                             "WantedBy=multi-user.target\n", "Before=display-manager.service"})
        EXPECT_NE(text.str().find(line), std::string::npos) << line << " missing from\n" << text.str();
    if (which("systemd-analyze").empty()) GTEST_SKIP() << "no systemd-analyze to verify the unit with";
    EXPECT_TRUE(fs::exists(destdir_ / "usr/local/bin/ctopbroker")) << "ExecStart names what meson installed";
    // Offline, against this machine's units (--root would want a whole
    // systemd tree): the same unit, its ExecStart pointed into the install
    // directory, since verify checks that the program exists.
    const fs::path copy = machine->dir / "verify" / unit.filename();
    fs::create_directories(copy.parent_path());
    std::string unit_text = text.str();
    const std::string exec = "ExecStart=/usr/local/bin/";
    unit_text.replace(unit_text.find(exec), exec.size(), "ExecStart=" + (destdir_ / "usr/local/bin/").string());
    std::ofstream(copy) << unit_text;
    std::string out;
    EXPECT_EQ(sh_output("systemd-analyze verify " + copy.string(), &out), 0) << out;
    EXPECT_EQ(out, "") << "systemd-analyze warned";
}

// A display manager (sddm, gdm) starts the session's Exec line as the user,
// in logind's environment: XDG_RUNTIME_DIR=/run/user/UID (the user's, 0700),
// XDG_SEAT, XDG_SESSION_TYPE, no WAYLAND_DISPLAY or DISPLAY, no terminal.
class DisplayManagerLogin : public Installed {
protected:
    void SetUp() override
    {
        Installed::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        const TestUser& u = *test_user();
        runtime_dir_ = "/run/user/" + std::to_string(u.uid);
        fs::create_directories(runtime_dir_);
        ASSERT_EQ(chown(runtime_dir_.c_str(), u.uid, u.gid), 0);
        fs::permissions(runtime_dir_, fs::perms::owner_all, fs::perm_options::replace);
        log_ = machine->dir / "dm-session.log";
    }

    void TearDown() override
    {
        if (session_ > 0) {
            std::string out;
            sh_output(user_shell("ctopbroker destroy --force app; ctopbroker quit"), &out);
            bool gone =
                wait_until([&] { return waitpid(session_, nullptr, WNOHANG) == session_; }, std::chrono::seconds(20));
            if (!gone) {
                kill(-session_, SIGKILL);
                waitpid(session_, nullptr, 0);
            }
        }
        std::error_code ec;
        fs::remove_all(runtime_dir_, ec);
    }

    // The environment logind and the display manager give the session.
    std::vector<std::string> login_environment() const
    {
        const TestUser& u = *test_user();
        return {"HOME=" + u.home,
                "USER=" + u.name,
                "LOGNAME=" + u.name,
                "SHELL=/bin/sh",
                "PATH=" + (destdir_ / "usr/local/bin").string() + ":/usr/local/bin:/usr/bin:/bin",
                "XDG_RUNTIME_DIR=" + runtime_dir_.string(),
                "XDG_SEAT=seat0",
                "XDG_VTNR=7",
                "XDG_SESSION_TYPE=wayland",
                "XDG_SESSION_CLASS=user",
                "XDG_SESSION_DESKTOP=ctopbroker",
                "XDG_CURRENT_DESKTOP=ctopbroker"};
    }

    // A command in the user's shell (a terminal of theirs, outside the session).
    std::string user_shell(const std::string& command) const
    {
        const TestUser& u = *test_user();
        std::string env;
        for (const auto& kv : login_environment()) env += " " + kv;
        return "setpriv --reuid=" + std::to_string(u.uid) + " --regid=" + std::to_string(u.gid) +
               " --init-groups env -i" + env + " sh -c '" + command + "'";
    }

    // The Exec line of the installed wayland-sessions entry, split in words.
    std::vector<std::string> exec_line() const
    {
        std::ifstream in(destdir_ / "usr/local/share/wayland-sessions/ctopbroker.desktop");
        for (std::string line; std::getline(in, line);)
            if (line.starts_with("Exec=")) {
                std::istringstream words(line.substr(5));
                std::vector<std::string> out;
                for (std::string w; words >> w;) out.push_back(w);
                return out;
            }
        return {};
    }

    // Starts it as the display manager does: as the user, stdin not a
    // terminal, through sh (as sddm's wayland-session script does, here
    // without the login profile, which would reset PATH to /usr/local/bin).
    // tty: a terminal for its stdin (a VT login) instead of /dev/null, and no XDG_SEAT.
    void start_session(const std::vector<std::string>& exec, int tty = -1)
    {
        const TestUser& u = *test_user();
        std::vector<std::string> args{"setpriv",
                                      "--reuid=" + std::to_string(u.uid),
                                      "--regid=" + std::to_string(u.gid),
                                      "--init-groups",
                                      "/bin/sh",
                                      "-c",
                                      "exec \"$@\"",
                                      "sh"};
        args.insert(args.end(), exec.begin(), exec.end());
        std::vector<std::string> env = login_environment();
        if (tty >= 0) std::erase(env, "XDG_SEAT=seat0");
        std::vector<char*> argv, envp;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        if (tty >= 0) posix_spawn_file_actions_adddup2(&fa, tty, 0);
        else posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        ASSERT_EQ(posix_spawnp(&session_, "setpriv", &fa, &attr, argv.data(), envp.data()), 0);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
    }

    std::string log() const
    {
        std::ifstream in(log_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    fs::path runtime_dir_, log_;
    pid_t session_ = -1;
};

TEST_F(DisplayManagerLogin, TheInstalledSessionEntryStartsHeadlessWithoutDrmAndTheUsersShellSpawnsIntoIt)
{
    const std::vector<std::string> exec = exec_line();
    ASSERT_EQ(exec, (std::vector<std::string>{"ctopbroker", "session"})) << "the installed ctopbroker.desktop's Exec";
    start_session(exec);
    ASSERT_TRUE(wait_until(
        [&] {
            return fs::exists(runtime_dir_ / "ctopbroker" / "control.sock") ||
                   waitpid(session_, nullptr, WNOHANG) == session_;
        },
        std::chrono::seconds(30)))
        << log();
    ASSERT_TRUE(fs::exists(runtime_dir_ / "ctopbroker" / "control.sock")) << "the session ended:\n" << log();
    // No GPU here (/dev/dri is absent): the seat is there, so it says why it is headless.
    EXPECT_NE(log().find("backend: headless (a seat, but no DRM device in /dev/dri)"), std::string::npos) << log();

    std::string status;
    ASSERT_EQ(sh_output(user_shell("ctopbroker status --json"), &status), 0) << status;
    json s = json::parse(status, nullptr, false);
    ASSERT_TRUE(s.is_object()) << status;
    const std::string display = s.value("wayland_display", "");
    EXPECT_FALSE(display.empty()) << status;
    EXPECT_EQ(s.value("backend", ""), "headless") << status;
    EXPECT_TRUE(fs::exists(runtime_dir_ / display)) << "the session's socket is in the user's /run/user/UID";
    struct stat st {};
    ASSERT_EQ(stat((runtime_dir_ / display).c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, test_user()->uid) << "the session runs as the user, not root";

    // From the user's own shell (no WAYLAND_DISPLAY: the CLI finds the session by XDG_RUNTIME_DIR).
    std::string out;
    ASSERT_EQ(sh_output(user_shell("ctopbroker create app --network none && ctopbroker spawn app -- weston-simple-shm"),
                        &out),
              0)
        << out << "\n"
        << log();
    bool shown = wait_until(
        [&] {
            std::string views;
            if (sh_output(user_shell("ctopbroker views --json"), &views) != 0) return false;
            json reply = json::parse(views, nullptr, false);
            if (!reply.is_object()) return false;
            for (const auto& v : reply["views"])
                if (v.value("workspace", "") == "app") return true;
            return false;
        },
        std::chrono::seconds(30));
    EXPECT_TRUE(shown) << "no window of container app:\n" << log();
}

// A TTY login without logind's XDG_SEAT (seatd, say): stdin is the terminal.
// There is no GPU on the test machines (and no vkms: their kernel has neither
// modules nor DRM), so the session says so and serves headless.
TEST_F(DisplayManagerLogin, OnATtyWithoutAGpuTheSessionSaysWhyItIsHeadlessAndDrmIsRefusedAtOnce)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(master, 0);
    ASSERT_EQ(grantpt(master), 0);
    ASSERT_EQ(unlockpt(master), 0);
    int tty = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(tty, 0);
    ASSERT_EQ(fchown(tty, test_user()->uid, test_user()->gid), 0);  // as login does
    start_session({"ctopbroker", "session"}, tty);
    close(tty);
    ASSERT_TRUE(wait_until(
        [&] {
            return log().find("WAYLAND_DISPLAY=") != std::string::npos ||
                   waitpid(session_, nullptr, WNOHANG) == session_;
        },
        std::chrono::seconds(30)))
        << log();
    EXPECT_NE(log().find("backend: headless (a seat, but no DRM device in /dev/dri)"), std::string::npos) << log();
    std::string out;
    EXPECT_EQ(sh_output(user_shell("ctopbroker status"), &out), 0) << out;
    EXPECT_NE(out.find("(headless backend)"), std::string::npos) << out;
    // Insisting on DRM as the user: refused at once, naming why.
    out.clear();
    EXPECT_NE(sh_output(user_shell("XDG_RUNTIME_DIR=$(mktemp -d) timeout 20 ctopbroker session --backend drm"), &out),
              0);
    EXPECT_NE(out.find("no DRM device"), std::string::npos) << out;
    close(master);
}

}  // namespace
