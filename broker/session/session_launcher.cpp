// Super+D and Super+Return: the launcher's list (every container's apps and
// the host's), what a choice starts, and the terminal.
#include "session.hpp"

#include "child_process.hpp"
#include "container.hpp"
#include "container_session.hpp"
#include "desktop_apps.hpp"
#include "identity.hpp"
#include "launcher.hpp"
#include "paths.hpp"
#include "seat.hpp"
#include "text.hpp"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

namespace ctop {
namespace {

const std::vector<std::string> launcher_command = {
    "fuzzel", "--dmenu", "--prompt", "launch: ", "--width", "60", "--lines", "15"};
const std::vector<std::string> terminal_command = {"foot"};

// The host's application directories, as the XDG base directory spec orders them.
std::vector<std::filesystem::path> host_application_dirs()
{
    std::vector<std::filesystem::path> dirs;
    const char* data_home = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    if (data_home && *data_home) dirs.push_back(std::filesystem::path(data_home) / "applications");
    else if (home && *home) dirs.push_back(std::filesystem::path(home) / ".local/share/applications");
    const char* data_dirs = std::getenv("XDG_DATA_DIRS");
    std::istringstream list(data_dirs && *data_dirs ? data_dirs : "/usr/local/share:/usr/share");
    for (std::string dir; std::getline(list, dir, ':');)
        if (!dir.empty()) dirs.push_back(std::filesystem::path(dir) / "applications");
    return dirs;
}

// Where each container's last app list is kept between sessions:
// $XDG_CACHE_HOME/ctopbroker/apps/LXCPATH-HASH/NAME, one agent reply line.
std::filesystem::path app_cache_dir()
{
    const char* cache = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    std::filesystem::path base = cache && *cache ? std::filesystem::path(cache)
                                 : home && *home ? std::filesystem::path(home) / ".cache"
                                                 : paths::broker_runtime_dir();
    std::ostringstream key;
    key << std::hex << std::hash<std::string>{}(paths::lxcpath().string());
    return base / "ctopbroker" / "apps" / key.str();
}

// A remembered list, read back as what it is: a line an agent sent (the
// same bounds and checks); nullopt when it is missing or does not pass.
std::optional<std::vector<DesktopApp>> read_remembered(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::string line(max_agent_line, '\0');
    in.read(line.data(), static_cast<std::streamsize>(line.size()));
    line.resize(static_cast<size_t>(in.gcount()));
    if (!line.empty() && line.back() == '\n') line.pop_back();
    std::string problem;
    std::optional<AgentMessage> m = parse_agent_message(line, &problem);
    if (!m || !m->ok || !m->apps) return std::nullopt;
    return m->apps;
}

}  // namespace

void Session::remember_apps(const std::string& name, const std::vector<DesktopApp>& apps)
{
    std::string line = agent_apps_line(1, apps) + "\n";
    if (remembered_apps_[name] == line) return;
    remembered_apps_[name] = line;
    try {
        std::filesystem::create_directories(app_cache_dir());
        paths::write_atomically(app_cache_dir() / name, line);
    } catch (const std::exception& e) {
        wlr_log(WLR_ERROR, "cannot remember the apps of container %s: %s", name.c_str(), e.what());
    }
}

// The lists earlier sessions remembered, for the containers this one has not
// heard from yet (and that still exist).
void Session::recall_apps()
{
    std::error_code ec;
    size_t seen = 0;
    for (const auto& entry : std::filesystem::directory_iterator(app_cache_dir(), ec)) {
        if (++seen > 4096) break;
        std::string name = entry.path().filename().string();
        if (!containers::Container::valid_name(name) || is_host(name) || known_apps_.count(name)) continue;
        if (!std::filesystem::exists(paths::lxcpath() / name / "config", ec)) continue;  // destroyed since
        if (auto apps = read_remembered(entry.path())) known_apps_[name] = std::move(*apps);
    }
}

void Session::open_launcher()
{
    if (launcher_->running()) return launcher_->close();  // Super+D again closes it
    // Fresh lists from the running containers' agents (a second at most
    // each, on the loop), then the launcher; a stopped container shows what
    // its agent listed last.
    auto waiting = std::make_shared<int>(1);
    uint64_t generation = ++launcher_requests_;
    auto one_done = [this, waiting, generation] {
        if (--*waiting == 0 && generation == launcher_requests_) show_launcher();
    };
    for (auto& [name, live] : containers_) {
        ContainerAgent* agent = live->live_agent();
        if (!agent) continue;
        ++*waiting;
        std::string container = name;
        bool sent = agent->request(
            AgentListApps{},
            [this, container, one_done](const AgentMessage* r, const std::string&) {
                if (r && r->ok && r->apps) {
                    known_apps_[container] = *r->apps;
                    remember_apps(container, *r->apps);
                }
                one_done();
            },
            1000);
        if (!sent) --*waiting;
    }
    one_done();
}

void Session::show_launcher()
{
    recall_apps();
    std::vector<LauncherEntry> entries;
    for (const auto& [name, apps] : known_apps_)
        for (const auto& app : apps)
            if (auto argv = desktop_exec_argv(app.exec); !argv.empty()) entries.push_back({name, app.name, argv});
    // The host's own few .desktop files, read here: small local files, once per Super+D.
    for (const auto& app : list_desktop_apps(host_application_dirs()))
        if (auto argv = desktop_exec_argv(app.exec); !argv.empty()) entries.push_back({host_identity, app.name, argv});
    try {
        launcher_->open(std::move(entries), [this](const LauncherEntry& e) { launch(e); });
    } catch (const std::exception& e) {
        server_->notify(e.what());
    }
}

// The user chose `entry`: it starts in its container (started first if it
// is not running) and the user is taken to that container's workspace, where
// its window maps and gets the focus.
void Session::launch(const LauncherEntry& entry)
{
    if (is_host(entry.container)) {
        server_->switch_to(server_->host_workspace());
        return start_host_app(entry.argv);
    }
    std::string name = entry.container;
    if (Workspace* ws = server_->find_workspace(name)) server_->switch_to(*ws);
    wlr_log(WLR_INFO, "launcher: %s in container %s", sanitize_title(entry.argv[0], 64).c_str(), name.c_str());
    spawn({{"name", name}, {"argv", entry.argv}}, [this, name](const nlohmann::json& r) {
        if (!r.value("ok", false)) {
            server_->notify(
                sanitize_title("container " + name + ": " + r.value("error", "could not start the app"), 160));
            return;
        }
        server_->switch_to(server_->workspace_for(name));
    });
}

void Session::open_terminal()
{
    std::string container = server_->seat().focused_container();
    if (is_host(container)) return start_host_app(terminal_command);
    spawn({{"name", container}, {"argv", terminal_command}}, [this, container](const nlohmann::json& r) {
        if (!r.value("ok", false))
            server_->notify(sanitize_title("container " + container + ": " + r.value("error", "no terminal"), 160));
    });
}

// A host app: a child of the session on the host socket (its SIGCHLD
// handler reaps it), in the host workspace.
void Session::start_host_app(const std::vector<std::string>& argv)
{
    try {
        pid_t pid = start_child(argv);
        wlr_log(WLR_INFO, "host app %s started (pid %d)", sanitize_title(argv[0], 64).c_str(), pid);
    } catch (const std::exception& e) {
        server_->notify(sanitize_title(e.what(), 160));
    }
}

std::unique_ptr<Launcher> Session::make_launcher()
{
    return std::make_unique<Launcher>(server_->loop(), launcher_command);
}

}  // namespace ctop
