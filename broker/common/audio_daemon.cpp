// Starting a container's PipeWire with a socket the host made.
#include "audio_daemon.hpp"

#include "container.hpp"
#include "paths.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ctop {
namespace fs = std::filesystem;

namespace {

// A daemon adopts an activated socket only if its address is exactly the one
// it would bind itself: PIPEWIRE_RUNTIME_DIR + "/pipewire-0" for PipeWire,
// PULSE_RUNTIME_PATH + "/native" for pipewire-pulse. Binding the relative
// name from inside the directory, and starting the daemon there with "." as
// its runtime directory, gives the host and the container the same address,
// whatever the directory is called outside.
void bind_in(int fd, const fs::path& dir, const char* relative)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, relative, sizeof addr.sun_path - 1);
    // The worker is a single-threaded helper process: changing its working
    // directory for the bind affects nothing else.
    int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = chdir(dir.c_str()) == 0;
    ok = ok && (unlink(relative) == 0 || errno == ENOENT);
    ok = ok && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ok = ok && chmod(relative, 0666) == 0 && listen(fd, 128) == 0;
    int err = errno;
    if (here >= 0) {
        if (fchdir(here) != 0) ok = false;
        close(here);
    }
    if (!ok)
        throw std::runtime_error("cannot make the audio socket " + (dir / relative).lexically_normal().string() + ": " +
                                 std::strerror(err));
}

}  // namespace

bool socket_answers(const fs::path& socket_path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

std::string container_pipewire_conf()
{
    return R"(# Written by ctopbroker for the container's own PipeWire.
context.properties = {
    core.daemon = true
    core.name = pipewire-0
    support.dbus = false
    default.clock.rate = 48000
    default.clock.allowed-rates = [ 48000 ]
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-access }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
]
context.objects = [
    { factory = spa-node-factory
        args = {
            factory.name    = support.node.driver
            node.name       = ctopbroker.clock
            priority.driver = 20000
        }
    }
]
)";
}

namespace {

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since
// boot. With the pid it names one process, even after the pid is recycled.
unsigned long long start_time(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    size_t paren = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (paren == std::string::npos || paren + 2 > stat.size()) return 0;
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i)
        if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
    return 0;
}

// To the container's audio log and to the session's.
void note(int log_fd, const std::string& line)
{
    std::string text = "ctopbroker: " + line + "\n";
    if (log_fd >= 0 && write(log_fd, text.data(), text.size()) < 0) std::perror("ctopbroker: audio log");
    std::fputs(text.c_str(), stderr);
}

}  // namespace

fs::path daemon_identity_file(const fs::path& dir)
{
    fs::path d = dir;
    if (!d.has_filename()) d = d.parent_path();  // "…/NAME/" names the same directory
    return d.parent_path() / (d.filename().string() + ".pipewire.pid");
}

pid_t running_container_pipewire(const fs::path& dir)
{
    std::ifstream in(daemon_identity_file(dir));
    pid_t pid = 0;
    unsigned long long started = 0;
    if (!(in >> pid >> started) || pid <= 0 || started == 0) return 0;
    return start_time(pid) == started ? pid : 0;
}

void bind_audio_sockets(const fs::path& dir, int pipewire_fd, int pulse_fd)
{
    paths::write_atomically(dir / "pipewire.conf", container_pipewire_conf());
    // PipeWire locks "<socket>.lock" before it looks at activated sockets; in
    // the read-only directory it can only open one that exists.
    int lock = open((dir / "pipewire-0.lock").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0)
        throw std::runtime_error("cannot create " + (dir / "pipewire-0.lock").string() + ": " + std::strerror(errno));
    close(lock);
    bind_in(pipewire_fd, dir, "./pipewire-0");
    std::error_code ec;
    fs::create_directories(dir / "pulse", ec);
    fs::permissions(dir / "pulse", fs::perms(0755), ec);
    bind_in(pulse_fd, dir / "pulse", "./native");
}

pid_t start_container_audio(containers::Container& c, const fs::path& dir, int pipewire_fd, int pulse_fd, int log_fd)
{
    if (pid_t running = running_container_pipewire(dir)) return running;
    containers::RunOptions run;
    // liblxc hands a process three descriptors: PipeWire's socket comes as
    // stdin and the pulse socket as stdout; the script moves them to fd 3
    // (SD_LISTEN_FDS_START) of each daemon. PulseAudio apps (browsers, most
    // of the desktop) get pipewire-pulse, a client of the same daemon.
    run.argv = {
        "/bin/sh", "-c",
        "command -v pipewire >/dev/null || { echo 'ctopbroker: pipewire is not installed in this container' >&2; "
        "exit 127; }; exec 3<&0 4>&1 </dev/null 1>&2; "
        "if command -v pipewire-pulse >/dev/null; then "
        "(cd pulse && PULSE_RUNTIME_PATH=. PIPEWIRE_REMOTE=/run/ctopbroker/pipewire-0 "
        "exec sh -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec pipewire-pulse' 3<&4 4>&-) & fi; "
        "export LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=pipewire-0; "
        "exec pipewire -c /run/ctopbroker/pipewire.conf 4>&-"};
    run.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/home/user", "XDG_RUNTIME_DIR=/run/user/1000",
               "PIPEWIRE_RUNTIME_DIR=.", "LANG=C.UTF-8"};
    run.cwd = "/run/ctopbroker";
    run.stdin_fd = pipewire_fd;
    run.stdout_fd = pulse_fd;
    run.stderr_fd = log_fd;
    pid_t pid = c.run(run);
    note(log_fd,
         "container '" + c.name() + "': an audio client connected: started PipeWire (pid " + std::to_string(pid) + ")");
    paths::write_atomically(daemon_identity_file(dir),
                            std::to_string(pid) + " " + std::to_string(start_time(pid)) + "\n");
    return pid;
}

}  // namespace ctop
