// The container supervisor: `ctopbroker-helper _supervisor`, started by the session
// and outliving it. The session tells it which containers it runs apps in
// and which workers it has out; when the session ends for any reason (quit,
// Super+Shift+E, a crash, kill -9) its pipe reaches end-of-file, and the
// supervisor waits for those workers and stops those containers, so none is
// left running without a session.
//
// Ownership is visible to other sessions: for each container the supervisor
// holds an flock on LXCPATH/NAME/ctopbroker.owner, which says whose it is.
// A spawn from another session (claim_container, in the worker) waits while
// the supervisor of an ended session is still stopping the container, and
// refuses a container a live session owns. If the supervisor was killed too,
// the lock is gone with it, and the next spawn restarts the container with
// its own sockets (broker/worker.cpp).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace ctop {

int supervisor_main();

// The session's end of the pipe. Writes are small and non-blocking: the
// event loop never waits on the supervisor, and a dead one is only logged.
class Supervisor {
public:
    Supervisor();   // starts `ctopbroker-helper _supervisor`; throws
    ~Supervisor();  // closes the pipe: the supervisor stops what it owns
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;
    void own(const std::string& name, const std::filesystem::path& lxcpath);
    void release(const std::string& name, const std::filesystem::path& lxcpath);
    // A worker that may start a container: if the session ends meanwhile,
    // the supervisor lets it finish before stopping what it started.
    void worker_started(pid_t pid);
    void worker_done(pid_t pid);
    pid_t pid() const { return pid_; }

private:
    void send(const std::string& line);
    pid_t pid_ = -1;
    int fd_ = -1;
};

std::filesystem::path owner_file(const std::string& name, const std::filesystem::path& lxcpath);

// For the worker, before it starts or uses a container for the session with
// pid `session_pid`: "" when that session may use it (after waiting up to
// `patience` for the supervisor of an ended session to let go), else why not.
std::string claim_container(const std::string& name, const std::filesystem::path& lxcpath, pid_t session_pid,
                            std::chrono::seconds patience = std::chrono::seconds(150));

}  // namespace ctop
