// `ctopbroker setup`: subordinate ids and a traversable lxcpath for the user
// whose session runs the containers. Network steps live beside these (see
// /work/notes/setup.md): one function per step, idempotent, printing changes.
#include "setup.hpp"

#include "cgroup_delegation.hpp"
#include "network.hpp"

#include "container.hpp"
#include "idmap.hpp"

#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace ctop {
namespace fs = std::filesystem;

namespace {

constexpr unsigned long first_subordinate_id = 100000;

std::string read_text(const fs::path& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Runs argv (no shell), waits; throws with its name when it fails.
void run_tool(const std::vector<std::string>& args)
{
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
    if (rc != 0) throw std::runtime_error("cannot run " + args[0] + ": " + std::strerror(rc));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string line;
        for (const auto& a : args) line += (line.empty() ? "" : " ") + a;
        throw std::runtime_error("`" + line + "` failed (status " + std::to_string(WEXITSTATUS(status)) + ")");
    }
}

// liblxc's per-user default (lxc.lxcpath of ~/.config/lxc/lxc.conf aside).
fs::path default_lxcpath_for(uid_t uid, const fs::path& home)
{
    if (uid != 0) return home / ".local/share/lxc";
    const char* env = std::getenv("CTOPBROKER_LXCPATH");
    if (env && *env) return env;
    return containers::Container::default_lxcpath();
}

// mkdir -p, giving what it creates to the user: liblxc writes in there as them.
void create_owned_directories(const fs::path& dir, const SetupTarget& target, SetupReport& report)
{
    if (fs::is_directory(dir)) return;
    create_owned_directories(dir.parent_path(), target, report);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create " + dir.string() + ": " + std::strerror(errno));
    bool under_home = target.uid != 0 && dir.string().starts_with(target.home.string() + "/");
    if (under_home && chown(dir.c_str(), target.uid, target.gid) != 0)
        throw std::runtime_error("cannot give " + dir.string() + " to " + target.user + ": " + std::strerror(errno));
    report.changed("created " + dir.string());
}

}  // namespace

void SetupReport::changed(const std::string& what)
{
    ++changes_;
    std::printf("setup: %s\n", what.c_str());
    std::fflush(stdout);
}

void SetupReport::ok(const std::string& what)
{
    std::printf("ok: %s\n", what.c_str());
    std::fflush(stdout);
}

SetupTarget setup_target(const std::string& user)
{
    struct passwd* pw = getpwnam(user.c_str());
    if (!pw)
        throw std::runtime_error("no user '" + user + "' on this machine: create it first (`useradd -m " + user + "`)");
    SetupTarget t;
    t.user = pw->pw_name;
    t.uid = pw->pw_uid;
    t.gid = pw->pw_gid;
    t.home = pw->pw_dir;
    t.lxcpath = default_lxcpath_for(t.uid, t.home);
    return t;
}

unsigned long free_subordinate_range(const std::vector<std::string>& file_texts, unsigned long count)
{
    struct Used {
        unsigned long first, count;
    };
    std::vector<Used> used;
    for (const auto& text : file_texts) {
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            std::istringstream fields(line);
            std::string owner, first, n;
            if (!std::getline(fields, owner, ':') || !std::getline(fields, first, ':') || !std::getline(fields, n))
                continue;
            try {
                used.push_back({std::stoul(first), std::stoul(n)});
            } catch (const std::exception&) {
                continue;  // not a range: takes nothing
            }
        }
    }
    unsigned long start = first_subordinate_id;
    for (bool moved = true; moved;) {
        moved = false;
        for (const auto& u : used) {
            if (start < u.first + u.count && u.first < start + count) {
                unsigned long end = u.first + u.count;
                start = (end + 65535) / 65536 * 65536;
                moved = true;
            }
        }
    }
    return start;
}

void setup_subordinate_ids(const SetupTarget& target, SetupReport& report)
{
    if (auto map = containers::subordinate_ids_of(target.user, target.uid)) {
        report.ok(target.user + " has subordinate ids " + std::to_string(map->uids.front().host) + "+" +
                  std::to_string(map->uids.front().count) + " (uids), " + std::to_string(map->gids.front().host) + "+" +
                  std::to_string(map->gids.front().count) + " (gids)");
        return;
    }
    const unsigned long count = containers::ids_per_container;
    unsigned long first = free_subordinate_range({read_text("/etc/subuid"), read_text("/etc/subgid")}, count);
    const std::string range = std::to_string(first) + "-" + std::to_string(first + count - 1);
    // usermod takes shadow's locks on both files, as useradd does.
    run_tool({"/usr/sbin/usermod", "--add-subuids", range, "--add-subgids", range, target.user});
    if (!containers::subordinate_ids_of(target.user, target.uid))
        throw std::runtime_error("usermod ran, but /etc/subuid and /etc/subgid still give " + target.user +
                                 " no range: check those files");
    report.changed("gave " + target.user + " subordinate uids and gids " + range +
                   " (/etc/subuid, /etc/subgid): its containers are unprivileged");
}

void setup_lxcpath(const SetupTarget& target, SetupReport& report)
{
    const fs::path lxcpath = fs::absolute(target.lxcpath).lexically_normal();
    create_owned_directories(lxcpath, target, report);
    // The containers' root (a subordinate uid) walks down to each rootfs.
    for (fs::path p = lxcpath;; p = p.parent_path()) {
        struct stat st {};
        if (stat(p.c_str(), &st) != 0)
            throw std::runtime_error("cannot stat " + p.string() + ": " + std::strerror(errno));
        if (!(st.st_mode & S_IXOTH)) {
            if (chmod(p.c_str(), (st.st_mode & 07777) | S_IXOTH) != 0)
                throw std::runtime_error("cannot chmod o+x " + p.string() + ": " + std::strerror(errno));
            report.changed("chmod o+x " + p.string() +
                           " (search only, no listing): unprivileged containers' "
                           "root must reach " +
                           lxcpath.string());
        }
        if (p == p.root_path()) break;
    }
    report.ok("lxcpath " + lxcpath.string());
}

// Without systemd no user manager delegates a cgroup subtree to the user:
// make one on every hierarchy (liblxc needs to create the containers' cgroups
// where the session sits). Root creates cgroups anywhere already.
void setup_cgroups(const SetupTarget& target, SetupReport& report)
{
    // Subtrees of users deleted since their setup (a test user's, say) go.
    for (const std::string& user : cgroups::delegated_users()) {
        if (getpwnam(user.c_str())) continue;
        try {
            for (const std::string& what : cgroups::undelegate(user)) report.changed(what + " (no user " + user + ")");
        } catch (const std::exception& e) {
            report.ok("kept: " + std::string(e.what()));
        }
    }
    if (target.uid == 0) {
        report.ok("root needs no delegated cgroup subtree");
        return;
    }
    for (const std::string& what : cgroups::delegate_to(target.user, target.uid, target.gid)) report.changed(what);
    report.ok("cgroup subtree ctopbroker/" + target.user + " on every hierarchy, owned by " + target.user);
}

// Xwayland binds its sockets in /tmp/.X11-unix. A root session's Xwayland
// creates it 0755 when missing, and then no user's X server can start.
void setup_x11_socket_dir(const SetupTarget&, SetupReport& report)
{
    const fs::path dir = "/tmp/.X11-unix";
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0) {
        // Gone after a reboot (/tmp is a tmpfs): made again as systemd-tmpfiles' x11.conf makes it.
        if (mkdir(dir.c_str(), 0700) != 0 || chmod(dir.c_str(), 01777) != 0)
            throw std::runtime_error("cannot create " + dir.string() + ": " + std::strerror(errno));
        report.changed("created " + dir.string() + ", mode 1777 (every user's Xwayland binds its sockets there)");
        return;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != 0)
        throw std::runtime_error(dir.string() + " is not a directory owned by root: remove it and run setup again");
    if ((st.st_mode & 07777) != 01777) {
        if (chmod(dir.c_str(), 01777) != 0)
            throw std::runtime_error("cannot chmod 1777 " + dir.string() + ": " + std::strerror(errno));
        report.changed("chmod 1777 " + dir.string() + " (every user's Xwayland binds its sockets there)");
        return;
    }
    report.ok(dir.string() + " is 1777");
}

fs::path setup_record()
{
    return "/var/lib/ctopbroker/setup-users";
}

namespace {

// What useradd accepts by default (and lxc-usernet can name).
bool plain_user_name(const std::string& name)
{
    return !name.empty() && name.size() <= 32 && name[0] != '-' &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-.") == std::string::npos;
}

// The record is replaced whole (written beside it, then renamed): a crash
// mid-write never leaves a boot with half a list.
void write_record(const std::vector<std::string>& users)
{
    const fs::path record = setup_record();
    fs::create_directories(record.parent_path());
    const fs::path next = record.string() + ".new";
    {
        std::ofstream out(next, std::ios::trunc);
        out << "# Users `ctopbroker setup` ran for; `ctopbroker setup --boot` (ctopbroker-setup.service)\n"
               "# re-creates at every boot what a reboot removed for them.\n";
        for (const auto& u : users) out << u << "\n";
        out.close();
        if (!out) throw std::runtime_error("cannot write " + next.string() + ": " + std::strerror(errno));
    }
    if (rename(next.c_str(), record.c_str()) != 0)
        throw std::runtime_error("cannot replace " + record.string() + ": " + std::strerror(errno));
}

// The recorded users that still exist. Users deleted since their setup (a
// test run's, or one removed with userdel) leave the record, so a boot does
// not fail on them.
std::vector<std::string> recorded_existing_users(SetupReport& report)
{
    std::vector<std::string> users = recorded_users(read_text(setup_record()));
    auto gone = std::remove_if(users.begin(), users.end(), [](const std::string& u) { return !getpwnam(u.c_str()); });
    if (gone == users.end()) return users;
    std::string names;
    for (auto it = gone; it != users.end(); ++it) names += (names.empty() ? "" : ", ") + *it;
    users.erase(gone, users.end());
    write_record(users);
    report.changed("removed " + names + " (no such user) from " + setup_record().string());
    return users;
}

// The last step: `setup --boot` redoes the volatile steps for this user.
void remember_for_boot(const SetupTarget& target, SetupReport& report)
{
    std::vector<std::string> users = recorded_existing_users(report);
    if (std::find(users.begin(), users.end(), target.user) != users.end()) {
        report.ok(target.user + " is in " + setup_record().string() + " (setup --boot at every boot)");
        return;
    }
    users.push_back(target.user);
    write_record(users);
    report.changed("recorded " + target.user + " in " + setup_record().string() +
                   ": `ctopbroker setup --boot` re-creates its cgroups, /tmp/.X11-unix and the network at boot");
}

}  // namespace

std::vector<std::string> recorded_users(const std::string& record_text)
{
    std::vector<std::string> users;
    std::istringstream lines(record_text);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#' || !plain_user_name(line)) continue;
        if (std::find(users.begin(), users.end(), line) == users.end()) users.push_back(line);
    }
    return users;
}

int run_boot_setup()
{
    if (geteuid() != 0) {
        std::cerr << "ctopbroker setup --boot: run it as root (ctopbroker-setup.service does, at boot): it makes "
                     "cgroups, bridges, firewall rules and starts dnsmasq\n";
        return 1;
    }
    SetupReport report;
    std::vector<std::string> users;
    try {
        users = recorded_existing_users(report);
    } catch (const std::exception& e) {
        std::cerr << "ctopbroker setup --boot: " << e.what() << "\n";
        return 1;
    }
    if (users.empty()) {
        std::printf("setup --boot: %s names no user: nothing to re-create (`sudo ctopbroker setup --user NAME` "
                    "sets a user up and records it)\n",
                    setup_record().c_str());
        return 0;
    }
    std::string names;
    for (const auto& u : users) names += (names.empty() ? "" : ", ") + u;
    std::printf("setup --boot: re-creating what a reboot removed, for %s (%s)\n", names.c_str(),
                setup_record().c_str());
    int failures = 0;
    // As much as can be done: one user's failure (deleted since?) leaves the others' sessions working.
    auto attempt = [&](const char* what, const std::function<void()>& step) {
        try {
            step();
        } catch (const std::exception& e) {
            std::cerr << "ctopbroker setup --boot: " << what << ": " << e.what() << "\n";
            ++failures;
        }
    };
    for (const auto& user : users) attempt(user.c_str(), [&] { setup_cgroups(setup_target(user), report); });
    attempt("X11 sockets", [&] { setup_x11_socket_dir(SetupTarget{}, report); });
    // The lxc-usernet lines are /etc's (they outlived the reboot): the rules read them.
    const int network = net::setup_network({});
    std::printf("setup --boot: %d change%s besides the network; %s\n", report.changes(),
                report.changes() == 1 ? "" : "s", failures || network ? "FAILED (see above)" : "done");
    return failures || network ? 1 : 0;
}

int run_setup(const std::string& user)
{
    if (geteuid() != 0) {
        std::cerr << "ctopbroker setup: run it as root (`sudo ctopbroker setup --user " << user
                  << "`): it edits /etc/subuid, /etc/subgid and system directories\n";
        return 1;
    }
    try {
        SetupTarget target = setup_target(user);
        SetupReport report;
        const std::vector<std::pair<const char*, SetupStep>> steps = {
            {"subordinate ids", setup_subordinate_ids}, {"lxcpath", setup_lxcpath},         {"cgroups", setup_cgroups},
            {"X11 sockets", setup_x11_socket_dir},      {"boot record", remember_for_boot},
        };
        for (const auto& [name, step] : steps) {
            try {
                step(target, report);
            } catch (const std::exception& e) {
                std::cerr << "ctopbroker setup: " << name << ": " << e.what() << "\n";
                return 1;
            }
        }
        std::printf("setup for %s: %d change%s\n", target.user.c_str(), report.changes(),
                    report.changes() == 1 ? "" : "s");
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ctopbroker setup: " << e.what() << "\n";
        return 1;
    }
}

int run_remove_user(const std::string& user)
{
    if (geteuid() != 0) {
        std::cerr << "ctopbroker setup --remove-user: run it as root (`sudo ctopbroker setup --remove-user " << user
                  << "`): it edits cgroups and /etc/lxc/lxc-usernet\n";
        return 1;
    }
    if (user.empty() || user == "." || user == ".." || user.find('/') != std::string::npos) {
        std::cerr << "ctopbroker setup --remove-user: bad user name '" << user << "'\n";
        return 2;
    }
    try {
        SetupReport report;
        for (const std::string& what : cgroups::undelegate(user)) report.changed(what);
        std::vector<std::string> users = recorded_users(read_text(setup_record()));
        if (auto it = std::find(users.begin(), users.end(), user); it != users.end()) {
            users.erase(it);
            write_record(users);
            report.changed("removed " + user + " from " + setup_record().string());
        }
        std::printf("remove-user %s: %d change%s\n", user.c_str(), report.changes(), report.changes() == 1 ? "" : "s");
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ctopbroker setup --remove-user " << user << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace ctop
