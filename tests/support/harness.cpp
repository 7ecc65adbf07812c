// Process handling, control requests and PNG decoding for the tests.
#include "harness.hpp"

#include <fcntl.h>
#include <png.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ctop::test {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string binary()
{
    const char* bin = std::getenv("CTOPBROKER_BIN");
    if (!bin) throw std::runtime_error("CTOPBROKER_BIN is not set (run the tests through meson test)");
    return bin;
}

std::vector<char*> c_strings(std::vector<std::string>& v)
{
    std::vector<char*> out;
    for (auto& s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// As the test user when there is one: setpriv drops to it (a login's
// credentials: its uid, gid and groups, no capability).
std::vector<std::string> as_test_user(std::vector<std::string> argv)
{
    const TestUser* user = test_user();
    if (!user) return argv;
    std::vector<std::string> out{"setpriv", "--reuid=" + std::to_string(user->uid),
                                 "--regid=" + std::to_string(user->gid), "--init-groups", "--"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

// fork+exec with stdout optionally captured through a pipe.
pid_t start(std::vector<std::string> argv, std::vector<std::string> env, int out_fd, int err_fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out_fd >= 0) posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    if (err_fd >= 0) posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // so we can kill the client's children too
    posix_spawnattr_setpgroup(&attr, 0);
    argv = as_test_user(std::move(argv));
    auto a = c_strings(argv);
    auto e = c_strings(env);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, a[0], &fa, &attr, a.data(), e.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    return pid;
}

std::string read_all(int fd)
{
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
}

// What AddressSanitizer, LeakSanitizer and UBSan print when they find
// something (the sanitized run of the suite): a report from any process of a
// test fails that test.
constexpr const char* sanitizer_markers[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                             "SUMMARY: UndefinedBehaviorSanitizer", ": runtime error: "};

// The first report in `text`, from the start of its line, or empty.
std::string sanitizer_report(const std::string& text)
{
    size_t at = std::string::npos;
    for (const char* marker : sanitizer_markers) at = std::min(at, text.find(marker));
    if (at == std::string::npos) return {};
    size_t begin = text.rfind('\n', at);
    begin = begin == std::string::npos ? 0 : begin + 1;
    return text.substr(begin, 12000);
}

// Reports in the logs a test's processes left in `dir`: the session's (its
// helpers share its stderr), clients', the apps' in containers.
void fail_on_sanitizer_reports(const fs::path& dir)
{
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec) || it->path().extension() == ".png" || it->file_size(ec) > (64u << 20)) continue;
        std::ifstream in(it->path());
        std::string report = sanitizer_report(std::string(std::istreambuf_iterator<char>(in), {}));
        if (!report.empty())
            ADD_FAILURE() << "a sanitizer reported an error, in " << it->path().string() << ":\n" << report;
    }
}

int wait_status(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

}  // namespace

const TestUser* test_user()
{
    static std::optional<TestUser> user = []() -> std::optional<TestUser> {
        const char* name = std::getenv("CTOPBROKER_TEST_USER");
        if (!name || !*name) return std::nullopt;
        if (!getpwnam(name)) {
            std::string cmd = std::string("useradd -m -s /bin/sh ") + name;
            if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot create the test user: " + cmd);
        }
        struct passwd* pw = getpwnam(name);
        if (!pw) throw std::runtime_error(std::string("no user ") + name + " after useradd");
        // What the README asks of root once per user.
        std::string setup = std::string(binary()) + " setup --user " + name + " >/dev/null";
        if (std::system(setup.c_str()) != 0)
            throw std::runtime_error("`" + setup + "` failed: run it by hand to see why");
        return TestUser{name, pw->pw_uid, pw->pw_gid, pw->pw_dir};
    }();
    return user ? &*user : nullptr;
}

Image::Pixel Image::at(int x, int y) const
{
    size_t i = (static_cast<size_t>(y) * width + x) * 4;
    return {rgba[i], rgba[i + 1], rgba[i + 2]};
}

Image Image::load_png(const fs::path& path)
{
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path.c_str()))
        throw std::runtime_error("cannot read PNG " + path.string() + ": " + img.message);
    img.format = PNG_FORMAT_RGBA;
    Image out;
    out.width = static_cast<int>(img.width);
    out.height = static_cast<int>(img.height);
    out.rgba.resize(PNG_IMAGE_SIZE(img));
    if (!png_image_finish_read(&img, nullptr, out.rgba.data(), 0, nullptr))
        throw std::runtime_error("cannot decode PNG " + path.string() + ": " + img.message);
    return out;
}

Image::Pixel pixel_from_hex(const std::string& hex)
{
    unsigned r, g, b;
    if (std::sscanf(hex.c_str(), "#%02x%02x%02x", &r, &g, &b) != 3) throw std::invalid_argument(hex);
    return {static_cast<int>(r), static_cast<int>(g), static_cast<int>(b)};
}

bool near(Image::Pixel a, Image::Pixel b, int tol)
{
    return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return pred();
}

std::string which(const std::string& program)
{
    const char* path = std::getenv("PATH");
    std::stringstream ss(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(ss, dir, ':'))
        if (access((fs::path(dir) / program).c_str(), X_OK) == 0) return (fs::path(dir) / program).string();
    return {};
}

Session::Session(std::vector<std::string> extra_args, const std::string& config_toml,
                 const std::map<std::string, std::string>& config_files)
{
    char tmpl[] = "/tmp/ctopbroker-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    runtime_dir_ = tmpl;
    fs::permissions(runtime_dir_, fs::perms::owner_all, fs::perm_options::replace);
    if (!config_toml.empty()) {
        fs::create_directories(runtime_dir_ / "config" / "ctopbroker");
        std::ofstream(runtime_dir_ / "config" / "ctopbroker" / "config.toml") << config_toml;
    }
    for (const auto& [rel, content] : config_files) {
        fs::path file = runtime_dir_ / "config" / "ctopbroker" / rel;
        fs::create_directories(file.parent_path());
        std::ofstream(file) << content;
    }
    if (const TestUser* user = test_user()) {
        // logind's /run/user/UID: the user's own, 0700.
        if (chown(runtime_dir_.c_str(), user->uid, user->gid) != 0)
            throw std::runtime_error("cannot chown " + runtime_dir_.string());
        for (const auto& entry : fs::recursive_directory_iterator(runtime_dir_))
            if (lchown(entry.path().c_str(), user->uid, user->gid) != 0)
                throw std::runtime_error("cannot chown " + entry.path().string());
    }

    std::vector<std::string> argv{binary(), "session", "--test-input"};
    // Headless unless the test picks a backend itself.
    if (std::find(extra_args.begin(), extra_args.end(), "--backend") == extra_args.end()) argv.push_back("--headless");
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    int log = open((runtime_dir_ / "session.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_ = start(argv, environment({}), log, log);
    close(log);

    bool up = wait_until([&] {
        if (!alive()) return true;
        try {
            json s = ctl({{"cmd", "status"}});
            wayland_display_ = s.value("wayland_display", "");
            return !wayland_display_.empty();
        } catch (const std::exception&) {
            return false;
        }
    });
    if (!up || !alive()) {
        std::ifstream in(runtime_dir_ / "session.log");
        std::stringstream ss;
        ss << in.rdbuf();
        throw std::runtime_error("the session did not come up; its log:\n" + ss.str());
    }
}

Session::~Session()
{
    for (pid_t c : clients_) {
        ::kill(-c, SIGKILL);
        ::kill(c, SIGKILL);
        waitpid(c, nullptr, 0);
    }
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        // Time for LeakSanitizer's check at exit in the sanitized run.
        bool exited = wait_until([&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; }, std::chrono::seconds(10));
        if (!exited) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    fail_on_sanitizer_reports(runtime_dir_);
    if (::testing::Test::HasFailure()) {
        std::ifstream in(runtime_dir_ / "session.log");
        std::stringstream ss;
        ss << in.rdbuf();
        std::string log = ss.str();
        if (log.size() > 6000) log = "...\n" + log.substr(log.size() - 6000);
        std::fprintf(stderr, "---- session log (%s) ----\n%s\n----\n", runtime_dir_.c_str(), log.c_str());
    }
    std::error_code ec;
    fs::remove_all(runtime_dir_, ec);
}

std::string Session::log() const
{
    std::ifstream in(runtime_dir_ / "session.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool Session::alive() const
{
    return pid_ > 0 && ::kill(pid_, 0) == 0 && waitpid(pid_, nullptr, WNOHANG) == 0;
}

std::vector<std::string> Session::environment(const std::map<std::string, std::string>& extra) const
{
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    // Nothing of the developer's own session may leak into the test's.
    env.erase("DISPLAY");
    env.erase("WAYLAND_SOCKET");
    if (const TestUser* user = test_user()) {
        env["HOME"] = user->home;
        env["USER"] = env["LOGNAME"] = user->name;
    }
    env["XDG_RUNTIME_DIR"] = runtime_dir_.string();
    env["XDG_CONFIG_HOME"] = (runtime_dir_ / "config").string();
    if (!wayland_display_.empty()) env["WAYLAND_DISPLAY"] = wayland_display_;
    else env.erase("WAYLAND_DISPLAY");
    for (const auto& [k, v] : extra) env[k] = v;
    std::vector<std::string> out;
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
}

json Session::ctl(const json& request) const
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = (runtime_dir_ / "ctopbroker" / "control.sock").string();
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        throw std::runtime_error("cannot reach the control socket");
    }
    timeval tv{30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string line = request.dump() + "\n";
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        close(fd);
        throw std::runtime_error("cannot send to the control socket");
    }
    std::string reply;
    char buf[65536];
    ssize_t n;
    while (reply.find('\n') == std::string::npos && (n = read(fd, buf, sizeof buf)) > 0) reply.append(buf, n);
    close(fd);
    if (reply.empty()) throw std::runtime_error("no reply from the control socket");
    return json::parse(reply.substr(0, reply.find('\n')));
}

int Session::cli(const std::vector<std::string>& args, std::string* out, std::string* err) const
{
    std::vector<std::string> argv{binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_t pid = start(argv, environment({}), out_pipe[1], err_pipe[1]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    // Small outputs: read stdout fully, then stderr.
    std::string o = read_all(out_pipe[0]);
    std::string e = read_all(err_pipe[0]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    if (out) *out = o;
    if (err) *err = e;
    std::string report = sanitizer_report(e);
    if (!report.empty())
        ADD_FAILURE() << "a sanitizer reported an error in ctopbroker " << (args.empty() ? "" : args[0]) << ":\n"
                      << report;
    return wait_status(pid);
}

pid_t Session::spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env)
{
    int log = open((runtime_dir_ / "clients.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    pid_t pid = start(argv, environment(env), log, log);
    close(log);
    clients_.push_back(pid);
    return pid;
}

int Session::run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, std::string* out)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    int log = open((runtime_dir_ / "clients.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    pid_t pid = start(argv, environment(env), p[1], log);
    close(log);
    close(p[1]);
    std::string o = read_all(p[0]);
    close(p[0]);
    if (out) *out = o;
    return wait_status(pid);
}

void Session::kill_client(pid_t pid)
{
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    std::erase(clients_, pid);
}

int Session::wait_client(pid_t pid)
{
    int rc = wait_status(pid);
    std::erase(clients_, pid);
    return rc;
}

bool Session::wait_views(const std::string& ws, size_t count, std::chrono::milliseconds timeout)
{
    return wait_until(
        [&] {
            size_t n = 0;
            for (const auto& v : views())
                if (v["workspace"] == ws) ++n;
            return n == count;
        },
        timeout);
}

Image Session::screenshot(const std::string& name)
{
    fs::path file = runtime_dir_ / (name + ".png");
    int rc = run({"grim", file.string()});
    if (rc != 0) throw std::runtime_error("grim failed with status " + std::to_string(rc));
    return Image::load_png(file);
}

std::string Session::key(const std::string& combo)
{
    json r = ctl({{"cmd", "key"}, {"combo", combo}});
    return r.value("ok", false) ? "" : r.value("error", "?");
}

std::string Session::type(const std::string& text) const
{
    std::string err;
    return cli({"type", text}, nullptr, &err) == 0 ? "" : (err.empty() ? "type failed" : err);
}

std::string Session::pointer(const std::vector<std::string>& args) const
{
    std::vector<std::string> argv{"pointer"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string err;
    return cli(argv, nullptr, &err) == 0 ? "" : (err.empty() ? "pointer failed" : err);
}

}  // namespace ctop::test
