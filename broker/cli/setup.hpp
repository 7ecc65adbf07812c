// `ctopbroker setup`: what only root can provide, once, for the user who runs
// the session. Each step is idempotent and prints only what it changed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ctop {

// The user the session (and its unprivileged containers) will belong to.
struct SetupTarget {
    std::string user;
    uid_t uid = 0;
    gid_t gid = 0;
    std::filesystem::path home;
    std::filesystem::path lxcpath;  // where that user's containers live
};

// Collects what setup did, and prints it as it goes.
class SetupReport {
public:
    void changed(const std::string& what);  // "setup: <what>"
    void ok(const std::string& what);       // "ok: <what>" (already in place)
    int changes() const { return changes_; }

private:
    int changes_ = 0;
};

using SetupStep = std::function<void(const SetupTarget&, SetupReport&)>;

// The user by name (throws with the fix when unknown); lxcpath is liblxc's
// default for that user ($CTOPBROKER_LXCPATH for root when set).
SetupTarget setup_target(const std::string& user);

// Gives the user 65536 subordinate uids and gids (/etc/subuid, /etc/subgid)
// in a range nobody else has, unless it has such a range already.
void setup_subordinate_ids(const SetupTarget& target, SetupReport& report);
// The lxcpath exists, belongs to the user, and every directory above it may be
// searched (o+x) by the containers' mapped root.
void setup_lxcpath(const SetupTarget& target, SetupReport& report);

// A free range of `count` ids: not overlapping any range in `files`
// ("owner:first:count" lines), starting at 100000 or above, 65536-aligned.
unsigned long free_subordinate_range(const std::vector<std::string>& file_texts, unsigned long count);

// `ctopbroker setup [--user NAME]`: every step, in order; exit status. The
// user is remembered (setup_record()) for `setup --boot`.
int run_setup(const std::string& user);

// Where setup remembers the users it ran for, one name a line:
// /var/lib/ctopbroker/setup-users (it outlives a reboot; what setup made in
// /run, /sys/fs/cgroup, /tmp and the kernel's network state does not).
std::filesystem::path setup_record();
// The names in a record's text: comments, blank lines and names that are not
// plain user names are skipped.
std::vector<std::string> recorded_users(const std::string& record_text);

// `ctopbroker setup --boot` (ctopbroker-setup.service, before the display
// manager): re-creates, for every recorded user, only what a reboot removed:
// the delegated cgroup subtree, /tmp/.X11-unix, the bridges, the nftables
// tables and dnsmasq. Idempotent; exit status.
int run_boot_setup();

// `ctopbroker setup --remove-user NAME`: undoes what `setup --user NAME` made
// outside the user's home (its cgroup subtrees; the lxc-usernet lines and
// firewall ports are net::remove_user_network's). Its subordinate ids stay:
// they belong to the account (userdel removes them). Exit status.
int run_remove_user(const std::string& user);

}  // namespace ctop
