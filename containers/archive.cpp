// Export and import through GNU tar (with zstd), run inside the container's
// user namespace for an unprivileged container.
#include "archive.hpp"

#include "idmap.hpp"
#include "lxc_config.hpp"
#include "templates.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

namespace ctop::containers {
namespace fs = std::filesystem;

namespace {

std::string named(const std::string& name)
{
    return "container '" + name + "'";
}

struct ToolResult {
    int status = -1;
    std::string errors;  // the last lines of its stderr
};

// Reads up to `limit` bytes of an unlinked temp file from its start.
std::string read_back(int fd, size_t limit)
{
    std::string text;
    char buf[4096];
    lseek(fd, 0, SEEK_SET);
    for (ssize_t n; text.size() < limit && (n = read(fd, buf, sizeof buf)) > 0;)
        text.append(buf, static_cast<size_t>(n));
    return text.substr(0, limit);
}

int temp_file()
{
    int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) throw ContainerError(std::string("cannot make a temporary file in /tmp: ") + std::strerror(errno));
    return fd;
}

// Runs argv with stdin/stdout on the given fds (-1: /dev/null; stdout -2: a
// temp file whose first `capture` bytes land in *out), and waits.
ToolResult run_tool(const std::vector<std::string>& argv, int in_fd, int out_fd, std::string* out = nullptr,
                    size_t capture = 1 << 20)
{
    int err_fd = temp_file();
    int captured = out ? temp_file() : -1;
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in_fd >= 0 ? in_fd : null_fd, 0);
        dup2(out ? captured : out_fd >= 0 ? out_fd : null_fd, 1);
        dup2(err_fd, 2);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
        execvp(args[0], args.data());
        dprintf(2, "cannot run %s: %s\n", args[0], std::strerror(errno));
        _exit(127);
    }
    ToolResult r;
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.status = pid < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    // The end says what went wrong; tar's first lines are often warnings.
    std::string errors = read_back(err_fd, 1 << 20);
    r.errors = errors.size() > 1500 ? "..." + errors.substr(errors.size() - 1500) : errors;
    if (out) *out = read_back(captured, capture);
    close(err_fd);
    if (captured >= 0) close(captured);
    if (null_fd >= 0) close(null_fd);
    return r;
}

// The prefix that runs a tool as the container's root: in a user namespace
// with its id map (lxc-usernsexec uses newuidmap, so any user with the
// subordinate ids may). Empty for a privileged container.
std::vector<std::string> as_container_root(const std::optional<IdMap>& map)
{
    if (!map) return {};
    std::vector<std::string> argv{"lxc-usernsexec"};
    for (const auto& r : map->uids)
        argv.insert(argv.end(), {"-m", "u:" + std::to_string(r.inside) + ":" + std::to_string(r.host) + ":" +
                                           std::to_string(r.count)});
    for (const auto& r : map->gids)
        argv.insert(argv.end(), {"-m", "g:" + std::to_string(r.inside) + ":" + std::to_string(r.host) + ":" +
                                           std::to_string(r.count)});
    argv.push_back("--");
    return argv;
}

std::string key_of(const std::string& line)
{
    auto begin = line.find_first_not_of(" \t");
    if (begin == std::string::npos || line[begin] == '#') return "";
    auto end = line.find_first_of(" \t=", begin);
    return line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string value_of(const std::string& line)
{
    auto eq = line.find('=');
    if (eq == std::string::npos) return "";
    auto begin = line.find_first_not_of(" \t", eq + 1);
    return begin == std::string::npos ? "" : line.substr(begin);
}

// The lxc.idmap lines of a config; nullopt for a privileged container.
std::optional<IdMap> idmap_in(const std::string& config)
{
    std::string values;
    std::istringstream in(config);
    for (std::string line; std::getline(in, line);)
        if (key_of(line) == "lxc.idmap") values += value_of(line) + "\n";
    return parse_idmap_values(values);
}

// What a host directory bound in may be: the ones the minimal template binds
// read-only (the host's programs and what they read in /etc).
bool harmless_mount(const std::string& entry)
{
    std::istringstream fields(entry);
    std::string source, target, type, options;
    fields >> source >> target >> type >> options;
    if (type == "tmpfs" && source == "tmpfs") return true;
    bool read_only = ("," + options + ",").find(",ro,") != std::string::npos;
    const auto& allowed = template_host_paths();
    return read_only && source.size() > 1 && source[0] == '/' &&
           std::find(allowed.begin(), allowed.end(), source.substr(1)) != allowed.end();
}

// The archive's config made this host's: nothing in it may run or mount
// anything on the host, so only the keys ctopbroker itself writes pass, with
// values that cannot; the id map becomes this user's.
std::string imported_config(const std::string& config, const std::string& name, const fs::path& dir,
                            const std::optional<IdMap>& map)
{
    static const char* plain_keys[] = {"lxc.uts.name",
                                       "lxc.rootfs.path",
                                       "lxc.autodev",
                                       "lxc.init.cmd",
                                       "lxc.log.file",
                                       "lxc.log.level",
                                       "lxc.apparmor.allow_nesting",
                                       "lxc.cgroup.memory.limit_in_bytes",
                                       "lxc.cgroup2.memory.max",
                                       "lxc.cgroup.pids.max",
                                       "lxc.cgroup2.pids.max",
                                       "lxc.cgroup.cpu.shares",
                                       "lxc.cgroup2.cpu.weight",
                                       "lxc.net.0.type",
                                       "lxc.net.0.link",
                                       "lxc.net.0.flags",
                                       "lxc.net.0.name",
                                       "lxc.net.0.hwaddr",
                                       "lxc.net.0.veth.pair"};
    std::ostringstream out;
    // The mount block is the exporting session's (its socket directory):
    // emptied first, spawn writes this one's.
    std::istringstream in(adopt_config(config, dir, name));
    bool idmap_written = false;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        const std::string key = key_of(line), value = value_of(line);
        auto refuse = [&](const std::string& why) {
            return ContainerError(named(name) + ": the archive's config, line " + std::to_string(number) + " (" + key +
                                  "): " + why + "; not imported");
        };
        if (key.empty()) {
            out << line << "\n";
        } else if (key == "lxc.idmap") {
            if (!map)
                throw refuse(
                    "an unprivileged container, but this user has no subordinate ids (run `ctopbroker setup`)");
            if (!idmap_written)
                for (const auto& v : idmap_config_values(*map)) out << "lxc.idmap = " << v << "\n";
            idmap_written = true;
        } else if (key == "lxc.include") {
            if (value != "/usr/share/lxc/config/common.conf") throw refuse("includes a file ctopbroker does not");
            out << line << "\n";
        } else if (key == "lxc.apparmor.profile") {
            if (value != "generated") throw refuse("an AppArmor profile other than liblxc's generated one");
            out << line << "\n";
        } else if (key == "lxc.mount.auto") {
            if (value != "proc:mixed sys:ro cgroup:mixed") throw refuse("mounts more of the host than ctopbroker does");
            out << line << "\n";
        } else if (key == "lxc.mount.entry") {
            if (!harmless_mount(value)) throw refuse("binds a host path other than the template's read-only ones");
            out << line << "\n";
        } else if (std::find(std::begin(plain_keys), std::end(plain_keys), key) != std::end(plain_keys)) {
            out << line << "\n";
        } else {
            throw refuse("a key ctopbroker does not write (hooks, devices and the like run or reach into the host)");
        }
    }
    if (!idmap_written && geteuid() != 0)
        throw ContainerError(named(name) + ": the archive holds a privileged container: only root may import it");
    return adopt_config(out.str(), dir, name);
}

}  // namespace

void export_container(Container& c, const fs::path& file, const std::map<std::string, std::string>& extra_files)
{
    if (!c.exists()) throw ContainerError(named(c.name()) + " does not exist");
    if (c.running())
        throw ContainerError(named(c.name()) + " is running: stop it before exporting it (`ctopbroker stop " +
                             c.name() + "`), so that no file is half-written in the archive");
    const fs::path dir = c.directory();
    std::optional<IdMap> map = idmap_in(read_text_file(dir / "config"));

    int out = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0)
        throw ContainerError("cannot create " + file.string() + ": " + std::strerror(errno) +
                             (errno == EEXIST ? " (choose another file: an export never overwrites)" : ""));
    // The config and the extra files go in from a directory the container's
    // root can read (the rootfs it owns already).
    char staging[] = "/tmp/ctopbroker-export-XXXXXX";
    if (!mkdtemp(staging)) {
        close(out);
        unlink(file.c_str());
        throw ContainerError(std::string("cannot make a staging directory in /tmp: ") + std::strerror(errno));
    }
    ToolResult r;
    try {
        chmod(staging, 0755);
        write_file_atomically(fs::path(staging) / "config",
                              adopt_config(read_text_file(dir / "config"), dir, c.name()));
        std::vector<std::string> argv = as_container_root(map);
        argv.insert(argv.end(), {"tar", "--zstd", "--numeric-owner", "-cpf", "-", "-C", staging, "config"});
        for (const auto& [name, text] : extra_files) {
            write_file_atomically(fs::path(staging) / name, text);
            argv.push_back(name);
        }
        argv.insert(argv.end(), {"-C", dir.string(), "rootfs"});
        r = run_tool(argv, -1, out);
    } catch (...) {
        r.status = -1;
    }
    close(out);
    std::error_code ec;
    fs::remove_all(staging, ec);
    if (r.status != 0) {
        unlink(file.c_str());
        throw ContainerError(named(c.name()) + ": tar could not write " + file.string() +
                             " (is zstd installed? scripts/deps.sh installs it):\n" + r.errors);
    }
}

std::optional<std::string> archive_file(const fs::path& file, const std::string& member)
{
    int in = open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) throw ContainerError("cannot read " + file.string() + ": " + std::strerror(errno));
    std::string text;
    ToolResult r = run_tool({"tar", "--zstd", "-xOf", "-", "--occurrence=1", member}, in, -1, &text);
    close(in);
    if (r.status == 0) return text;
    if (r.errors.find("Not found in archive") != std::string::npos) return std::nullopt;
    throw ContainerError(file.string() + " is not a ctopbroker export (a zstd tar file): " + r.errors);
}

std::string archived_name(const fs::path& file)
{
    auto config = archive_file(file, "config");
    if (!config) throw ContainerError(file.string() + " has no container config: not a ctopbroker export");
    std::istringstream in(*config);
    for (std::string line; std::getline(in, line);)
        if (key_of(line) == "lxc.uts.name") return value_of(line);
    throw ContainerError(file.string() + ": its config names no container (lxc.uts.name): give a name to import it as");
}

void import_container(const fs::path& file, const std::string& name, const fs::path& lxcpath,
                      const std::function<void()>& before_publish)
{
    Container target(name, lxcpath);
    if (target.exists())
        throw ContainerError(named(name) +
                             " already exists: import it under another name (`ctopbroker import FILE NAME`)");
    auto archived = archive_file(file, "config");
    if (!archived) throw ContainerError(file.string() + " has no container config: not a ctopbroker export");
    const bool unprivileged = archived->find("lxc.idmap") != std::string::npos;
    std::optional<IdMap> map = unprivileged ? subordinate_ids_of_current_user() : std::nullopt;
    std::string config =
        imported_config(*archived, name, target.directory(), map);  // refuses before anything is written

    // Unpacked in the staging directory and renamed into place like a
    // create: an import killed at any point leaves a whole container or none.
    target.build_staged(
        [&](const fs::path& staging) {
            const fs::path rootfs = staging / "rootfs";
            if (mkdir(rootfs.c_str(), 0755) != 0)
                throw ContainerError(named(name) + ": cannot create " + rootfs.string() + ": " + std::strerror(errno));
            // The container's root unpacks its own files, as their owner (a
            // normal user hands the directory over from inside the user namespace).
            if (map && geteuid() != 0) run_in_container_userns(name, *map, {"chown", "0:0", "--", rootfs.string()});
            else if (map && chown(rootfs.c_str(), static_cast<uid_t>(map->uids.front().host),
                                  static_cast<gid_t>(map->gids.front().host)) != 0)
                throw ContainerError(named(name) + ": cannot hand " + rootfs.string() +
                                     " to its root: " + std::strerror(errno));
            int in = open(file.c_str(), O_RDONLY | O_CLOEXEC);
            if (in < 0) throw ContainerError("cannot read " + file.string() + ": " + std::strerror(errno));
            std::vector<std::string> argv = as_container_root(map);
            argv.insert(argv.end(), {"tar", "--zstd", "--numeric-owner", "-xpf", "-", "-C", rootfs.string(),
                                     "--strip-components=1", "rootfs"});
            ToolResult r = run_tool(argv, in, -1);
            close(in);
            if (r.status != 0)
                throw ContainerError(named(name) + ": tar could not unpack " + file.string() + ":\n" + r.errors);
            write_file_atomically(staging / "config", config);
        },
        before_publish);
}

}  // namespace ctop::containers
