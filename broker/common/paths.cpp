// XDG locations and atomic file writes.
#include "paths.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "container.hpp"

namespace ctop::paths {
namespace fs = std::filesystem;

fs::path runtime_dir()
{
    const char* dir = std::getenv("XDG_RUNTIME_DIR");
    if (!dir || !*dir)
        throw std::runtime_error("XDG_RUNTIME_DIR is not set: log in through a display manager or "
                                 "set it to a private directory (mode 0700)");
    return dir;
}

fs::path broker_runtime_dir()
{
    fs::path dir = runtime_dir() / "ctopbroker";
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create " + dir.string() + ": " + std::strerror(errno));
    return dir;
}

fs::path companion_binary(const std::string& name)
{
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot find where ctopbroker is installed: " + ec.message());
    return self.parent_path() / name;
}

fs::path control_socket()
{
    return broker_runtime_dir() / "control.sock";
}

fs::path container_runtime_dir(const std::string& container)
{
    return broker_runtime_dir() / "c" / container;
}

fs::path config_dir()
{
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg) return fs::path(xdg) / "ctopbroker";
    const char* home = std::getenv("HOME");
    if (!home || !*home) throw std::runtime_error("neither XDG_CONFIG_HOME nor HOME is set");
    return fs::path(home) / ".config" / "ctopbroker";
}

fs::path policy_file(const std::string& container)
{
    return config_dir() / "containers" / (container + ".toml");
}

fs::path lxcpath()
{
    const char* env = std::getenv("CTOPBROKER_LXCPATH");
    if (env && *env) return env;
    return containers::Container::default_lxcpath();
}

void write_atomically(const fs::path& path, const std::string& content)
{
    fs::create_directories(path.parent_path());
    std::string tmp = (path.parent_path() / ("." + path.filename().string() + ".XXXXXX")).string();
    int fd = mkstemp(tmp.data());
    if (fd < 0) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
    auto fail = [&](const char* what) {
        int err = errno;
        close(fd);
        unlink(tmp.c_str());
        throw std::runtime_error(std::string("cannot ") + what + " " + path.string() + ": " + std::strerror(err));
    };
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write");
        }
        done += static_cast<size_t>(n);
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) fail("sync");
    close(fd);
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        unlink(tmp.c_str());
        throw std::runtime_error("cannot replace " + path.string() + ": " + std::strerror(err));
    }
}

}  // namespace ctop::paths
