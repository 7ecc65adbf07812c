// Starting a container's PipeWire with a socket the host made.
#include "audio_daemon.hpp"

#include "container.hpp"
#include "paths.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ctop {
namespace fs = std::filesystem;

namespace {

// PipeWire adopts an activated socket only if its address is exactly the one
// it would bind itself: PIPEWIRE_RUNTIME_DIR + "/" + name. Binding the
// relative name "./pipewire-0" from inside the directory gives the host and
// the container the same address, whatever the directory is called outside.
constexpr const char* relative_address = "./pipewire-0";

int listen_in(const fs::path& dir)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, relative_address, sizeof addr.sun_path - 1);
    // The worker is a single-threaded helper process: changing its working
    // directory for the bind affects nothing else.
    int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = chdir(dir.c_str()) == 0;
    ok = ok && (unlink(relative_address) == 0 || errno == ENOENT);
    ok = ok && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ok = ok && chmod(relative_address, 0666) == 0 && listen(fd, 128) == 0;
    int err = errno;
    if (here >= 0) {
        if (fchdir(here) != 0) ok = false;
        close(here);
    }
    if (!ok) {
        close(fd);
        throw std::runtime_error("cannot create the PipeWire socket in " + dir.string() + ": " + std::strerror(err));
    }
    return fd;
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

pid_t ensure_container_pipewire(containers::Container& c, const fs::path& dir, int log_fd)
{
    if (socket_answers(dir / "pipewire-0")) return 0;
    paths::write_atomically(dir / "pipewire.conf", container_pipewire_conf());
    // PipeWire locks "<socket>.lock" before it looks at activated sockets; in
    // the read-only directory it can only open one that exists.
    int lock = open((dir / "pipewire-0.lock").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0)
        throw std::runtime_error("cannot create " + (dir / "pipewire-0.lock").string() + ": " + std::strerror(errno));
    close(lock);
    int listen_fd = listen_in(dir);

    containers::RunOptions run;
    // PulseAudio apps (browsers, most of the desktop) get pipewire-pulse, a
    // client of the same daemon, at the usual $XDG_RUNTIME_DIR/pulse/native.
    run.argv = {"/bin/sh", "-c",
                "command -v pipewire >/dev/null || { echo 'ctopbroker: pipewire is not installed in this container' >&2; "
                "exit 127; }; exec 3<&0 </dev/null; "
                "if command -v pipewire-pulse >/dev/null; then "
                "PIPEWIRE_REMOTE=/run/ctopbroker/pipewire-0 pipewire-pulse 3<&- & fi; "
                "export LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=pipewire-0; "
                "exec pipewire -c /run/ctopbroker/pipewire.conf"};
    run.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/home/user", "XDG_RUNTIME_DIR=/run/user/1000",
               "PIPEWIRE_RUNTIME_DIR=.", "LANG=C.UTF-8"};
    run.cwd = "/run/ctopbroker";
    run.stdin_fd = listen_fd;
    run.stdout_fd = log_fd;
    run.stderr_fd = log_fd;
    pid_t pid;
    try {
        pid = c.run(run);
    } catch (...) {
        close(listen_fd);
        throw;
    }
    close(listen_fd);
    return pid;
}

}  // namespace ctop
