// Writable shares for a container whose user is not the share's owner: an
// idmapped bind mount (Linux 5.12+) that shows the owner's files as the
// container user's and writes the container user's new files as the owner's.
// Nothing on the host changes: no chown, no ACL.
#pragma once

#include <sys/types.h>

#include <string>

namespace ctop {

// A process parked in a user namespace whose map is `owner` → `container_user`
// (host ids) for one uid and one gid: the mount's idmapping is read from it.
// Killed and reaped on destruction.
class ShareIdmap {
public:
    ShareIdmap(uid_t owner_uid, gid_t owner_gid, uid_t container_uid, gid_t container_gid);
    ~ShareIdmap();
    ShareIdmap(const ShareIdmap&) = delete;
    ShareIdmap& operator=(const ShareIdmap&) = delete;

    std::string ns_path() const { return "/proc/" + std::to_string(pid_) + "/ns/user"; }

private:
    void release();

    pid_t pid_ = -1;
    int hold_fd_ = -1;  // the child waits for EOF on this
};

// Over the plain bind mount at `inside` (an absolute path in the running
// container whose init is `init`), an idmapped bind of `host_path` with
// `map`'s mapping, nosuid and nodev. Needs root; throws naming the share.
void mount_idmapped_share(pid_t init, const std::string& host_path, const std::string& inside, const ShareIdmap& map);

}  // namespace ctop
