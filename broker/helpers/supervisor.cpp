// The container supervisor and the ownership lock (see supervisor.hpp).
#include "supervisor.hpp"

#include "child_process.hpp"
#include "container.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

namespace ctop {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

fs::path owner_file(const std::string& name, const fs::path& lxcpath)
{
    return lxcpath / name / "ctopbroker.owner";
}

namespace {

void log(const std::string& message)
{
    std::fprintf(stderr, "ctopbroker supervisor: %s\n", message.c_str());
}

// What an owner file says: the owning session's pid, whether its supervisor
// is already stopping the container, and the session's runtime dir (for
// messages). Written only by supervisors, read defensively all the same.
struct Owner {
    pid_t session = 0;
    bool ending = false;
    std::string runtime_dir;
};

Owner read_owner(int fd)
{
    char buf[512] = {};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    Owner o;
    if (n <= 0) return o;
    std::istringstream in(std::string(buf, static_cast<size_t>(n)));
    std::string pid, state;
    std::getline(in, pid);
    std::getline(in, state);
    std::getline(in, o.runtime_dir);
    o.session = static_cast<pid_t>(std::atoi(pid.c_str()));
    o.ending = state == "ending";
    return o;
}

void write_owner(int fd, pid_t session, bool ending)
{
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    std::string text =
        std::to_string(session) + "\n" + (ending ? "ending" : "live") + "\n" + (runtime ? runtime : "") + "\n";
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        log(std::string("cannot write an owner file: ") + std::strerror(errno));
}

// A killed session stays a zombie until its parent reaps it: that is dead too.
bool alive(pid_t pid)
{
    if (pid <= 0 || kill(pid, 0) != 0) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    size_t paren = text.rfind(')');
    return paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] != 'Z';
}

// Whether another session than `self` holds the container and is alive.
bool owned_by_live_other(const Owner& o, pid_t self)
{
    return o.session != self && !o.ending && alive(o.session);
}

struct Owned {
    std::string name;
    fs::path lxcpath;
    int lock_fd;
};

// Takes the container's lock for `session`, waiting for the supervisor of an
// ended session that is still stopping it; -1 when a live session owns it
// (or there is no such container).
int take_lock(const std::string& name, const fs::path& lxcpath, pid_t session)
{
    int fd = open(owner_file(name, lxcpath).c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -1;
    auto deadline = Clock::now() + std::chrono::seconds(150);
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (owned_by_live_other(read_owner(fd), session) || Clock::now() > deadline) {
            close(fd);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    write_owner(fd, session, false);
    return fd;
}

int pidfd_open(pid_t pid)
{
    return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

// A worker of the ended session may be starting a container right now: what
// it starts must be stopped too, so it finishes first (or is killed after
// the session's own timeout for it).
void wait_for_workers(std::map<pid_t, int>& workers)
{
    auto deadline = Clock::now() + std::chrono::seconds(125);
    for (auto& [pid, fd] : workers) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(std::max<long long>(left, 0))) == 0) {
            log("worker " + std::to_string(pid) + " of the ended session is still busy: killing it");
            syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
        }
        close(fd);
    }
    workers.clear();
}

void stop_all(std::map<std::string, Owned>& owned, pid_t session)
{
    for (auto& [key, o] : owned) {
        try {
            containers::Container c(o.name, o.lxcpath);
            if (c.exists() && c.running()) {
                log("session " + std::to_string(session) + " ended: stopping container '" + o.name + "'");
                c.stop(std::chrono::seconds(3));
            }
        } catch (const std::exception& e) {
            log("cannot stop container '" + o.name + "': " + e.what() + ": stop it with `ctopbroker stop " + o.name +
                "`");
        }
        close(o.lock_fd);  // the next session may have it now
    }
    owned.clear();
}

// One line from the session: "own NAME LXCPATH", "release NAME LXCPATH",
// "worker PID", "worker-done PID".
void handle_line(const std::string& text, pid_t session, std::map<std::string, Owned>& owned,
                 std::map<pid_t, int>& workers)
{
    std::istringstream line(text);
    std::string op;
    line >> op;
    if (op == "worker" || op == "worker-done") {
        pid_t pid = 0;
        line >> pid;
        if (pid <= 0) return;
        if (op == "worker" && !workers.count(pid)) {
            int fd = pidfd_open(pid);
            if (fd >= 0) workers[pid] = fd;
        } else if (op == "worker-done" && workers.count(pid)) {
            close(workers[pid]);
            workers.erase(pid);
        }
        return;
    }
    std::string name, lxcpath;
    line >> name;
    std::getline(line >> std::ws, lxcpath);
    if (!containers::Container::valid_name(name) || lxcpath.empty()) return;
    std::string key = lxcpath + "/" + name;
    if (op == "own" && !owned.count(key)) {
        int fd = take_lock(name, lxcpath, session);
        if (fd >= 0) owned[key] = {name, lxcpath, fd};
    } else if (op == "release" && owned.count(key)) {
        close(owned[key].lock_fd);
        owned.erase(key);
    }
}

}  // namespace

int supervisor_main()
{
    // Its own session: a Ctrl+C or hang-up meant for the compositor's
    // terminal must not take the supervisor along before it has done its job.
    setsid();
    signal(SIGPIPE, SIG_IGN);
    sigset_t sigs;
    sigemptyset(&sigs);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&sigs, s);
    sigprocmask(SIG_BLOCK, &sigs, nullptr);
    int sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    const pid_t session = getppid();
    std::map<std::string, Owned> owned;
    std::map<pid_t, int> workers;
    std::string buffer;
    for (;;) {
        pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sfd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents) {
            signalfd_siginfo si;
            // SIGTERM is a logout taking everything down: clean up as if the session ended.
            if (read(sfd, &si, sizeof si) > 0 && si.ssi_signo == SIGTERM) break;
            continue;
        }
        char buf[4096];
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the session is gone
        buffer.append(buf, static_cast<size_t>(n));
        if (buffer.size() > 65536) buffer.clear();  // not a line of ours
        for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
            handle_line(buffer.substr(0, nl), session, owned, workers);
            buffer.erase(0, nl + 1);
        }
    }
    for (auto& [key, o] : owned) write_owner(o.lock_fd, session, true);  // claimers wait, not refuse
    wait_for_workers(workers);
    stop_all(owned, session);
    return 0;
}

Supervisor::Supervisor()
{
    Helper h = start_helper("_supervisor");
    pid_ = h.pid;
    fd_ = h.to_child;
    close(h.from_child);
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

Supervisor::~Supervisor()
{
    if (fd_ >= 0) close(fd_);
}

void Supervisor::send(const std::string& line)
{
    if (write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        std::fprintf(stderr,
                     "ctopbroker: cannot reach the container supervisor (pid %d): %s; containers may outlive "
                     "this session\n",
                     pid_, std::strerror(errno));
}

void Supervisor::own(const std::string& name, const fs::path& lxcpath)
{
    if (lxcpath.string().find('\n') == std::string::npos) send("own " + name + " " + lxcpath.string() + "\n");
}

void Supervisor::release(const std::string& name, const fs::path& lxcpath)
{
    if (lxcpath.string().find('\n') == std::string::npos) send("release " + name + " " + lxcpath.string() + "\n");
}

void Supervisor::worker_started(pid_t pid)
{
    send("worker " + std::to_string(pid) + "\n");
}
void Supervisor::worker_done(pid_t pid)
{
    send("worker-done " + std::to_string(pid) + "\n");
}

std::string claim_container(const std::string& name, const fs::path& lxcpath, pid_t session_pid,
                            std::chrono::seconds patience)
{
    int fd = open(owner_file(name, lxcpath).c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return "";  // no container directory: the spawn says what is wrong
    auto deadline = Clock::now() + patience;
    Owner owner;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            close(fd);  // nobody's: our supervisor takes it (the session asked before starting us)
            return "";
        }
        owner = read_owner(fd);
        if (owner.session == session_pid && !owner.ending) {
            close(fd);
            return "";
        }
        // A live owner: refuse now. An ended one: its supervisor is
        // stopping the container; wait for it to let go.
        if (owned_by_live_other(owner, session_pid) || Clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    close(fd);
    if (!owned_by_live_other(owner, session_pid))
        return "container '" + name + "' is still being stopped by the supervisor of an ended session (pid " +
               std::to_string(owner.session) + "): spawn again in a minute, or `lxc-stop -k -P " + lxcpath.string() +
               " -n " + name + "`";
    std::string where = owner.runtime_dir.empty() ? "" : " XDG_RUNTIME_DIR=" + owner.runtime_dir;
    return "container '" + name + "' belongs to another running session (pid " + std::to_string(owner.session) + where +
           "): stop it there (`" + (where.empty() ? "" : where.substr(1) + " ") + "ctopbroker stop " + name +
           "`) or end that session";
}

}  // namespace ctop
