// The user namespace behind an idmapped share (see share_idmap.hpp).
#include "share_idmap.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace ctop {
namespace {

void write_map(pid_t pid, const char* file, const std::string& line)
{
    std::string path = "/proc/" + std::to_string(pid) + "/" + file;
    std::ofstream out(path);
    out << line << std::flush;
    if (!out) throw std::runtime_error("cannot write " + path + " for an idmapped share: " + std::strerror(errno));
}

}  // namespace

ShareIdmap::ShareIdmap(uid_t owner_uid, gid_t owner_gid, uid_t container_uid, gid_t container_gid)
{
    int ready[2], hold[2];
    if (pipe2(ready, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
    if (pipe2(hold, O_CLOEXEC) != 0) {
        close(ready[0]);
        close(ready[1]);
        throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
    }
    pid_ = fork();
    if (pid_ == 0) {
        // Only a namespace to read a map from: it runs nothing and dies with us.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(ready[0]);
        close(hold[1]);
        char ok = unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
        (void)!write(ready[1], &ok, 1);
        char byte;
        while (read(hold[0], &byte, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    close(ready[1]);
    close(hold[0]);
    hold_fd_ = hold[1];
    char ok = 0;
    ssize_t n;
    while ((n = read(ready[0], &ok, 1)) < 0 && errno == EINTR) {
    }
    close(ready[0]);
    try {
        if (pid_ < 0 || n != 1 || !ok) throw std::runtime_error("cannot create a user namespace for an idmapped share");
        // Inside the namespace: the owner's id; outside: the container user's.
        write_map(pid_, "uid_map", std::to_string(owner_uid) + " " + std::to_string(container_uid) + " 1\n");
        write_map(pid_, "gid_map", std::to_string(owner_gid) + " " + std::to_string(container_gid) + " 1\n");
    } catch (...) {
        release();
        throw;
    }
}

ShareIdmap::~ShareIdmap()
{
    release();
}

void ShareIdmap::release()
{
    if (hold_fd_ >= 0) close(hold_fd_);
    hold_fd_ = -1;
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    pid_ = -1;
}

void mount_idmapped_share(pid_t init, const std::string& host_path, const std::string& inside, const ShareIdmap& map)
{
    auto fail = [&](const std::string& step) {
        return std::runtime_error("cannot mount the writable share " + host_path + " at " + inside + " idmapped (" +
                                  step + ": " + std::strerror(errno) +
                                  "; the kernel or filesystem may not support idmapped mounts): make it the "
                                  "container user's instead (`chown -R` it to the container's host uid for 1000) "
                                  "or share it read-only");
    };
    // Detached copy of the host directory, idmapped while nobody sees it yet.
    int tree = open_tree(AT_FDCWD, host_path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) throw fail("open_tree");
    int userns = open(map.ns_path().c_str(), O_RDONLY | O_CLOEXEC);
    if (userns < 0) {
        close(tree);
        throw fail("open " + map.ns_path());
    }
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    attr.userns_fd = static_cast<__u64>(userns);
    int rc = mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr);
    close(userns);
    if (rc != 0) {
        close(tree);
        throw fail("mount_setattr");
    }
    // Attached from inside the container's mount namespace: a child does the
    // setns, so this process keeps its own.
    pid_t child = fork();
    if (child == 0) {
        int mnt = open(("/proc/" + std::to_string(init) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
        if (mnt < 0 || setns(mnt, CLONE_NEWNS) != 0) _exit(10);
        _exit(move_mount(tree, "", AT_FDCWD, inside.c_str(), MOVE_MOUNT_F_EMPTY_PATH) == 0 ? 0 : 11);
    }
    close(tree);
    int status = 0;
    while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (child < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = child < 0 ? errno : (WIFEXITED(status) && WEXITSTATUS(status) == 10 ? EPERM : EINVAL);
        throw fail(WIFEXITED(status) && WEXITSTATUS(status) == 10 ? "entering its mount namespace" : "move_mount");
    }
}

}  // namespace ctop
