// Session: the running `ctopbroker session` process. It owns the compositor,
// the control socket and one ContainerSession per live container, and turns
// control requests into compositor and container actions.
#pragma once

#include "agent_protocol.hpp"
#include "container_agent.hpp"
#include "control_server.hpp"
#include "event_source.hpp"
#include "server.hpp"
#include "session_config.hpp"

#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ctop {

class AudioRouter;
class Autostart;
class ContainerSession;
struct ContainerPolicy;
class Launcher;
struct LauncherEntry;
class NotificationRelay;
class Supervisor;

class Session {
public:
    explicit Session(const ServerOptions& options);  // throws
    ~Session();
    int run();
    void apply_keybindings(const SessionConfig& config) { config.apply(server_->keybindings()); }
    // Spawns config.toml's autostart entries once run() is dispatching.
    void autostart(const SessionConfig& config);

private:
    // The control socket's commands (Session::find_command has the table).
    struct Command;
    static const Command* find_command(std::string_view name);
    void handle(const nlohmann::json& request, ControlServer::Reply reply);
    void status(const nlohmann::json& request, ControlServer::Reply reply);
    void views(const nlohmann::json& request, ControlServer::Reply reply);
    void clipboard(const nlohmann::json& request, ControlServer::Reply reply);
    void key(const nlohmann::json& request, ControlServer::Reply reply);
    void type(const nlohmann::json& request, ControlServer::Reply reply);
    void workspace(const nlohmann::json& request, ControlServer::Reply reply);
    void notify(const nlohmann::json& request, ControlServer::Reply reply);
    void quit(const nlohmann::json& request, ControlServer::Reply reply);
    void open_socket(const nlohmann::json& request, ControlServer::Reply reply);
    nlohmann::json status_reply() const;
    ContainerSession& container(const std::string& name);  // opened on first use
    ContainerSession* find_container(const std::string& name) const;
    void spawn(const nlohmann::json& request, ControlServer::Reply reply);
    void spawn_desktop(const control::Spawn& request, const ContainerPolicy& policy, ControlServer::Reply reply);
    // A warm spawn: the container's agent forks and execs the app. False when
    // the agent is not there or did not take the request (the worker then does).
    ContainerAgent::Hooks agent_hooks(const std::string& name);
    // Lazy audio: the first client on container `name`'s audio sockets starts
    // its daemons (through a worker) and then its bridge.
    void arm_audio(ContainerSession& live, const std::string& lxcpath);
    void start_audio(const std::string& name, const std::string& lxcpath);
    void audio_closed(const std::string& name);
    bool spawn_through_agent(ContainerSession& live, const nlohmann::json& request, bool audio,
                             ControlServer::Reply reply);
    void apps(const nlohmann::json& request, ControlServer::Reply reply);
    void pointer(const nlohmann::json& request, ControlServer::Reply reply);
    void stop(const nlohmann::json& request, ControlServer::Reply reply);
    void reap_children();
    // Spawn tells the truth: its reply waits until the app has connected to
    // its container's display or run for a second, and an app that exits
    // sooner with a failure makes the spawn fail with its status and output.
    // An app by its pid on the host (started by the worker: container "") or
    // inside its container (started by the container's agent).
    using AppKey = std::pair<std::string, pid_t>;
    struct PendingSpawn {
        AppKey key;
        std::string container, program;
        std::filesystem::path log;
        std::int64_t log_offset;
        nlohmann::json result;  // the worker's reply, sent on success
        ControlServer::Reply reply;
        std::unique_ptr<Timer> timer;  // answers after a second
    };
    void await_app(PendingSpawn pending);
    void answer_spawn(const AppKey& key, const int* status);  // status: nullptr while the app runs
    void answer_spawns_of(const std::string& container);
    void audio(const nlohmann::json& request, ControlServer::Reply reply);
    // Super+D and Super+Return (session_launcher.cpp).
    void open_launcher();
    void show_launcher();
    void launch(const LauncherEntry& entry);
    void open_terminal();
    void start_host_app(const std::vector<std::string>& argv);
    void remember_apps(const std::string& name, const std::vector<DesktopApp>& apps);
    void recall_apps();
    std::unique_ptr<Launcher> make_launcher();

    std::unique_ptr<Server> server_;
    SignalWatch sigterm_, sigint_, sigchld_;
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<AudioRouter> audio_;
    std::map<std::string, std::string> live_lxcpath_;  // where each container's last spawn found it
    // Stops our containers when this process ends, however it ends.
    std::unique_ptr<Supervisor> supervisor_;
    std::map<std::string, std::unique_ptr<ContainerSession>> containers_;
    std::map<AppKey, PendingSpawn> pending_spawns_;
    // What each container's agent listed last: kept after it stops, so
    // `ctopbroker apps` shows a stopped container's apps.
    std::map<std::string, std::vector<DesktopApp>> known_apps_;
    // Containers' notifications to the host's daemon, from the first one on.
    std::unique_ptr<NotificationRelay> notifications_;
    // Children reaped before the worker's reply named them (pid, status).
    std::deque<std::pair<pid_t, int>> early_exits_;
    std::unique_ptr<Launcher> launcher_;  // fuzzel, while it is open
    uint64_t launcher_requests_ = 0;      // Super+D presses: only the last one's lists open the launcher
    std::map<std::string, std::string> remembered_apps_;  // what remember_apps wrote last, by container
    std::unique_ptr<Autostart> autostart_;
};

}  // namespace ctop
