// `ctopbroker doctor`: every prerequisite of a session and its unprivileged
// containers, checked as the user who will run them, each failure with the
// exact command that fixes it.
#include "doctor.hpp"

#include "cgroup_delegation.hpp"
#include "network.hpp"
#include "container.hpp"
#include "idmap.hpp"
#include "paths.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ctop {
namespace fs = std::filesystem;

namespace {

struct Checks {
    int failures = 0;
    void check(bool ok, const std::string& what, const std::string& fix)
    {
        if (ok) {
            std::printf("ok:   %s\n", what.c_str());
        } else {
            ++failures;
            std::printf("FAIL: %s\n      fix: %s\n", what.c_str(), fix.c_str());
        }
    }
};

std::string user_name()
{
    struct passwd* pw = getpwuid(getuid());
    return pw ? pw->pw_name : std::to_string(getuid());
}

bool setuid_root(const char* path)
{
    struct stat st {};
    return stat(path, &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID);
}

bool executable(const char* path)
{
    return access(path, X_OK) == 0;
}

// The first directory from `dir` up that the containers' root could not
// search (o+x missing), or "" when it can walk all the way.
std::string closed_directory_above(const fs::path& dir)
{
    for (fs::path p = dir;; p = p.parent_path()) {
        struct stat st {};
        if (stat(p.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH)) return p.string();
        if (p == p.root_path()) return "";
    }
}

}  // namespace

int run_doctor()
{
    Checks c;
    const std::string user = user_name();
    const std::string setup = "sudo ctopbroker setup --user " + user;

    auto ids = containers::subordinate_ids_of_current_user();
    c.check(ids.has_value(), "subordinate uids and gids for " + user + " (/etc/subuid, /etc/subgid)", setup);
    c.check(setuid_root("/usr/bin/newuidmap") && setuid_root("/usr/bin/newgidmap"),
            "newuidmap and newgidmap installed setuid root", "sudo apt-get install uidmap");
    c.check(executable("/usr/sbin/init.lxc.static") || executable("/sbin/init.lxc.static"),
            "liblxc and its static init", "sudo apt-get install lxc");
    c.check(executable("/usr/bin/busybox") || executable("/bin/busybox"), "busybox (the minimal template's init shell)",
            "sudo apt-get install busybox-static");

    const fs::path lxcpath = paths::lxcpath();
    bool lxcpath_ok = fs::is_directory(lxcpath) && access(lxcpath.c_str(), W_OK | X_OK) == 0;
    c.check(lxcpath_ok, "container directory " + lxcpath.string() + " exists and is writable by " + user, setup);
    if (lxcpath_ok && ids) {
        std::string closed = closed_directory_above(lxcpath);
        c.check(closed.empty(), "the containers' root can reach " + lxcpath.string(),
                setup + "   (or `chmod o+x " + closed + "`)");
    }

    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    struct stat st {};
    bool runtime_ok = runtime && stat(runtime, &st) == 0 && st.st_uid == getuid() &&
                      (st.st_mode & 067) == 0;  // group x: the mask of the session's own search-only ACLs
    c.check(runtime_ok,
            std::string("XDG_RUNTIME_DIR (") + (runtime ? runtime : "unset") + ") is " + user + "'s own, mode 0700",
            "log in through a display manager or logind (it makes /run/user/UID), or `export "
            "XDG_RUNTIME_DIR=$(mktemp -d)`");

    if (getuid() != 0) {
        // The session joins ctopbroker/USER where setup made it (no systemd),
        // or already sits in a subtree its user may create cgroups in.
        std::vector<std::string> missing;
        if (!cgroups::can_create_cgroups(&missing)) {
            std::erase_if(missing, [&](const std::string& h) {
                fs::path dir = cgroups::delegated_dir(h, user);
                return access(dir.c_str(), W_OK) == 0 && access((dir / "cgroup.procs").c_str(), W_OK) == 0;
            });
        }
        std::string where;
        for (const auto& h : missing) where += " " + h;
        c.check(missing.empty(),
                "a cgroup subtree " + user + " may create the containers' cgroups in" +
                    (where.empty() ? "" : " (none on" + where + ")"),
                setup);
    }
    if (getuid() != 0) {
        // lxc-user-nic (setuid root) attaches a user's containers only to the
        // bridges /etc/lxc/lxc-usernet names for that user.
        std::ifstream usernet("/etc/lxc/lxc-usernet");
        bool inet = false, lan = false;
        for (std::string line; std::getline(usernet, line);) {
            std::istringstream words(line);
            std::string u, type, link;
            words >> u >> type >> link;
            if (u != user || type != "veth") continue;
            inet |= link == "ctop-inet";
            lan |= link == "ctop-lan";
        }
        c.check(setuid_root("/usr/libexec/lxc/lxc-user-nic") && inet && lan,
                "lxc-user-nic may attach " + user + "'s containers to ctop-inet and ctop-lan (/etc/lxc/lxc-usernet)",
                setup);
    }
    // Gone after every reboot until `setup --boot` (ctopbroker-setup.service) ran.
    const std::string network = net::missing_network();
    c.check(network.empty(),
            "the containers' bridges ctop-inet and ctop-lan and their dnsmasq" +
                (network.empty() ? std::string() : " (missing: " + network + ")"),
            "sudo ctopbroker setup --boot   (what a reboot removed; ctopbroker-setup.service does it at boot)");
    struct stat x11 {};
    c.check(stat("/tmp/.X11-unix", &x11) != 0 || (x11.st_mode & 01777) == 01777,
            "/tmp/.X11-unix is 1777 (each user's Xwayland binds its sockets there)", setup);

    c.check(executable("/usr/bin/Xwayland"), "Xwayland (X11 apps in containers)", "sudo apt-get install xwayland");
    c.check(executable("/usr/bin/pipewire"), "PipeWire (audio in containers)",
            "sudo apt-get install pipewire pipewire-bin pipewire-pulse");

    if (c.failures == 0) std::printf("everything ctopbroker needs is in place\n");
    else
        std::printf("%d problem%s: run the fixes above, then `ctopbroker doctor` again\n", c.failures,
                    c.failures == 1 ? "" : "s");
    return c.failures == 0 ? 0 : 1;
}

}  // namespace ctop
