// The agent inside a container (see agent.hpp).
#include "agent.hpp"

#include "agent_notifications.hpp"
#include "container.hpp"
#include "container_namespaces.hpp"
#include "desktop_apps.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

namespace ctop {

namespace {

// The container's user (the same as the worker's attached apps).
constexpr uid_t container_uid = 1000;
constexpr gid_t container_gid = 1000;
constexpr const char* app_path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

[[noreturn]] void die(const std::string& message)
{
    std::fprintf(stderr, "ctopbroker agent: %s\n", message.c_str());
    _exit(1);
}

bool write_line(const std::string& line)
{
    std::string out = line + "\n";
    for (size_t done = 0; done < out.size();) {
        ssize_t n = write(1, out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

// The first line, read a byte at a time: nothing after it may be consumed.
std::string read_first_line()
{
    std::string line;
    char c;
    while (line.size() < 4096 && read(0, &c, 1) == 1 && c != '\n') line += c;
    return line;
}

void close_fds_above_stderr()
{
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return;
    std::vector<int> fds;
    while (dirent* e = readdir(dir)) {
        int fd = std::atoi(e->d_name);
        if (e->d_name[0] != '.' && fd > 2 && fd != dirfd(dir)) fds.push_back(fd);
    }
    closedir(dir);
    for (int fd : fds) close(fd);
}

// Joins the container as its init sees it and forks into its pid namespace;
// returns in the child. The parent, still in the host's pid namespace, tells
// the session the agent's pid there and leaves: the session (subreaper)
// becomes the agent's parent.
void enter(const std::string& name, const std::string& lxcpath)
{
    pid_t init;
    try {
        init = containers::Container(name, lxcpath).init_pid();
    } catch (const std::exception& e) {
        die(e.what());
    }
    if (init <= 0) die("container '" + name + "' is not running");
    join_container_cgroups(init, getpid());
    close_fds_above_stderr();
    int pid_ns = open(("/proc/" + std::to_string(init) + "/ns/pid").c_str(), O_RDONLY | O_CLOEXEC);
    if (pid_ns < 0) die("cannot open the pid namespace of container '" + name + "': " + std::strerror(errno));
    try {
        enter_container_namespaces(init);
    } catch (const std::exception& e) {
        die(e.what());
    }
    if (setns(pid_ns, CLONE_NEWPID) != 0) die(std::string("cannot enter the pid namespace: ") + std::strerror(errno));
    close(pid_ns);
    pid_t child = fork();
    if (child < 0) die(std::string("fork: ") + std::strerror(errno));
    if (child > 0) _exit(write_line(agent_started_line(child)) ? 0 : 1);
}

// From here on the agent is the container's user, like its apps, without a
// way back up (no_new_privs) and with nothing of the host's environment.
// It is not dumpable: its memory came from the host's binary.
void become_container_user()
{
    if (setgroups(0, nullptr) != 0 || setresgid(container_gid, container_gid, container_gid) != 0 ||
        setresuid(container_uid, container_uid, container_uid) != 0)
        die(std::string("cannot become the container's user: ") + std::strerror(errno));
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    clearenv();
    setenv("PATH", app_path, 1);  // execvpe searches the caller's PATH
    setsid();
}

std::vector<char*> c_strings(std::vector<std::string>& strings)
{
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// The app: stdin from /dev/null, stdout and stderr to the container's log
// (the agent's stderr), in the user's home, with the session's environment.
pid_t start_app(std::vector<std::string> argv, std::vector<std::string> env, const std::string& cwd)
{
    std::vector<char*> args = c_strings(argv);
    std::vector<char*> envp = c_strings(env);
    pid_t pid = fork();
    if (pid != 0) return pid;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    dup2(2, 1);
    if (chdir(cwd.c_str()) != 0 && chdir("/") != 0) _exit(1);
    execvpe(args[0], args.data(), envp.data());
    int err = errno;
    std::fprintf(stderr, "ctopbroker agent: cannot run '%s': %s\n", args[0], std::strerror(err));
    _exit(err == EACCES ? 126 : 127);
}

std::string handle_spawn(std::uint64_t id, AgentSpawn spawn)
{
    pid_t pid = start_app(std::move(spawn.argv), std::move(spawn.env), spawn.cwd);
    if (pid < 0) return agent_reply_line(id, std::string("fork: ") + std::strerror(errno));
    return agent_spawned_line(id, pid);
}

// What the host did with one of this container's notifications (the
// session mapped the host's id back to ours): never answered.
void handle_event(const AgentEvent& event, NotificationServer& notifications)
{
    if (const auto* closed = std::get_if<AgentNotificationClosed>(&event))
        notifications.closed_by_host(closed->notification, closed->reason);
    else if (const auto* action = std::get_if<AgentNotificationAction>(&event))
        notifications.action_invoked(action->notification, action->key);
}

// A request's reply, or "" for an event (which has none).
std::string handle(const std::string& line, NotificationServer& notifications)
{
    std::uint64_t id;
    std::string problem;
    std::optional<AgentRequest> req = parse_agent_request(line, &id, &problem);
    if (!req) return agent_reply_line(id, problem);
    if (req->event) {
        handle_event(*req->event, notifications);
        return {};
    }
    if (auto* spawn = std::get_if<AgentSpawn>(&req->call)) return handle_spawn(id, std::move(*spawn));
    return agent_apps_line(id, list_desktop_apps({"/home/user/.local/share/applications",
                                                  "/usr/local/share/applications", "/usr/share/applications"}));
}

void report_exits(NotificationServer& notifications)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (notifications.reaped(pid)) continue;  // the session bus: not an app
        if (!write_line(agent_exited_line(pid, status & 0xffff))) _exit(0);
    }
}

[[noreturn]] void serve()
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) die(std::string("signalfd: ") + std::strerror(errno));
    fcntl(0, F_SETFD, FD_CLOEXEC);
    fcntl(1, F_SETFD, FD_CLOEXEC);
    // The container's session bus and its notifications, on the same loop.
    NotificationServer notifications([](const std::string& line) { return write_line(line) || (_exit(0), false); });
    std::string buffer;
    while (true) {
        pollfd fds[3] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}, {notifications.fd(), notifications.events(), 0}};
        if (poll(fds, 3, notifications.timeout_ms()) < 0 && errno != EINTR)
            die(std::string("poll: ") + std::strerror(errno));
        if (fds[1].revents) {
            signalfd_siginfo info;
            while (read(sfd, &info, sizeof info) > 0) {
            }
            report_exits(notifications);
        }
        notifications.process();
        if (!fds[0].revents) continue;
        char chunk[65536];
        ssize_t n = read(0, chunk, sizeof chunk);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) _exit(0);  // the session is gone
        if (n > 0) buffer.append(chunk, static_cast<size_t>(n));
        for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            std::string reply = handle(line, notifications);
            if (!reply.empty() && !write_line(reply)) _exit(0);
        }
        if (buffer.size() > max_agent_line) die("the session sent an oversized line");
    }
}

}  // namespace

int agent_main()
{
    std::string problem;
    std::optional<AgentHello> hello = parse_agent_hello(read_first_line(), &problem);
    if (!hello) die(problem);
    if (!containers::Container::valid_name(hello->container)) die("bad container name");
    enter(hello->container, hello->lxcpath);
    become_container_user();
    serve();
}

}  // namespace ctop
