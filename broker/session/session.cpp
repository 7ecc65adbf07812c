// Control requests → compositor and container actions.
#include "session.hpp"

#include "app_environment.hpp"
#include "audio_daemon.hpp"
#include "audio_router.hpp"
#include "autostart.hpp"
#include "clock.hpp"
#include "container.hpp"
#include "clipboard.hpp"
#include "container_session.hpp"
#include "control_replies.hpp"
#include "notification_relay.hpp"
#include "launcher.hpp"
#include "desktop_mode.hpp"
#include "paths.hpp"
#include "policy.hpp"
#include "idle.hpp"
#include "layer_shell.hpp"
#include "seat.hpp"
#include "supervisor.hpp"
#include "test_pointer.hpp"
#include "view.hpp"
#include "worker_call.hpp"
#include "xwayland.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/input-event-codes.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ctop {
using nlohmann::json;

namespace {

using control::error;

std::string bad_name_message(const std::string& name)
{
    return "bad container name '" + name + "': use 1-31 of a-z, 0-9 and '-', not starting with '-'";
}

}  // namespace

Session::Session(const ServerOptions& options)
{
    // Fail before taking the display if another session owns the socket.
    auto control_path = paths::control_socket();
    server_ = std::make_unique<Server>(options);
    audio_ = std::make_unique<AudioRouter>(server_->loop());
    // A bridge or daemon that went away: the next audio client starts them again.
    audio_->on_closed = [this](const std::string& name) { audio_closed(name); };
    control_ = std::make_unique<ControlServer>(
        server_->loop(), control_path,
        [this](const json& req, ControlServer::Reply reply) { handle(req, std::move(reply)); });
    // wlroots execs "Xwayland" from WLR_XWAYLAND: the ctopbroker binary,
    // which enters the container first (broker/helpers/xwayland_launcher.cpp).
    setenv("WLR_XWAYLAND", paths::companion_binary("ctopbroker-helper").c_str(), 1);
    sigterm_.watch(server_->loop(), SIGTERM, [this] { server_->terminate(); });
    sigint_.watch(server_->loop(), SIGINT, [this] { server_->terminate(); });
    try {
        supervisor_ = std::make_unique<Supervisor>();
    } catch (const std::exception& e) {
        wlr_log(WLR_ERROR, "no container supervisor: containers will outlive this session: %s", e.what());
    }
    // Apps attached into containers are grandchildren (via the worker); as
    // subreaper we inherit and reap them, and notice when they end.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigchld_.watch(server_->loop(), SIGCHLD, [this] { reap_children(); });
    launcher_ = make_launcher();
    server_->on_launcher = [this] { open_launcher(); };
    server_->on_terminal = [this] { open_terminal(); };
}

void Session::reap_children()
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        const ContainerSession* owner = nullptr;
        for (const auto& [name, c] : containers_)
            if (c->forget_app(pid)) owner = c.get();
        if (!owner && !pending_spawns_.count({"", pid})) {
            // An app can end before its worker's reply names it: a few
            // statuses are kept for await_app to find.
            early_exits_.emplace_back(pid, status);
            if (early_exits_.size() > 64) early_exits_.pop_front();
            continue;
        }
        if (owner)
            wlr_log(WLR_INFO, "container %s: app %d exited (%s %d)", owner->name().c_str(), pid,
                    WIFEXITED(status) ? "status" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        answer_spawn({"", pid}, &status);
    }
}

namespace {

// The last lines an app wrote to its container's log since `offset`, made
// printable: it is the container's output, shown to the user.
std::string log_tail(const std::filesystem::path& log, std::int64_t offset)
{
    std::error_code ec;
    auto size = static_cast<std::int64_t>(std::filesystem::file_size(log, ec));
    if (ec || size <= offset) return {};
    std::int64_t from = std::max(offset, size - 2048);
    std::ifstream in(log, std::ios::binary);
    in.seekg(from);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (char& c : text)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) c = '?';
    std::vector<std::string> lines;
    std::stringstream ss(text);
    for (std::string line; std::getline(ss, line);)
        if (!line.empty()) lines.push_back(line.size() > 200 ? line.substr(0, 200) + "..." : line);
    if (lines.size() > 5) lines.erase(lines.begin(), lines.end() - 5);
    std::string out;
    for (const auto& l : lines) out += "\n  " + l;
    return out;
}

std::string exit_reason(const std::string& program, const std::string& container, int status)
{
    std::string who = "'" + program.substr(0, 100) + "' in container '" + container + "'";
    if (WIFSIGNALED(status))
        return who + " was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) +
               ") within its first second";
    int code = WEXITSTATUS(status);
    if (code == 127) return who + ": command not found (exit status 127)";
    if (code == 126) return who + ": not executable (exit status 126)";
    return who + " exited with status " + std::to_string(code) + " within its first second";
}

}  // namespace

void Session::await_app(PendingSpawn pending)
{
    AppKey key = pending.key;
    PendingSpawn& stored = pending_spawns_.insert_or_assign(key, std::move(pending)).first->second;
    // The agent reports its apps' ends after their start: only the worker's
    // apps can end before their spawn's reply.
    for (auto it = early_exits_.begin(); key.first.empty() && it != early_exits_.end(); ++it) {
        if (it->first != key.second) continue;
        int status = it->second;
        early_exits_.erase(it);
        if (ContainerSession* c = find_container(stored.container)) c->forget_app(key.second);
        return answer_spawn(key, &status);
    }
    stored.timer = std::make_unique<Timer>();
    stored.timer->arm(server_->loop(), 1000, [this, key] { answer_spawn(key, nullptr); });
}

void Session::answer_spawns_of(const std::string& container)
{
    std::vector<AppKey> ready;
    for (const auto& [key, p] : pending_spawns_)
        if (p.container == container) ready.push_back(key);
    for (const AppKey& key : ready) answer_spawn(key, nullptr);
}

void Session::answer_spawn(const AppKey& key, const int* status)
{
    auto it = pending_spawns_.find(key);
    if (it == pending_spawns_.end()) return;
    PendingSpawn p = std::move(it->second);
    pending_spawns_.erase(it);
    // Exiting at once with success is what launchers do (hand over to a
    // running instance, D-Bus activation): that is not a failure.
    if (!status || (WIFEXITED(*status) && WEXITSTATUS(*status) == 0)) {
        if (status) p.result["exited"] = 0;
        return p.reply(p.result);
    }
    std::string message = exit_reason(p.program, p.container, *status);
    std::string tail = log_tail(p.log, p.log_offset);
    message += tail.empty() ? " (it wrote nothing)" : "; its last output:" + tail;
    wlr_log(WLR_ERROR, "spawn: %s", message.c_str());
    json out = error(message);
    out["exit_status"] = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
    p.reply(out);
}

Session::~Session()
{
    server_->on_launcher = nullptr;
    server_->on_terminal = nullptr;
    launcher_.reset();
    autostart_.reset();
    pending_spawns_.clear();
    notifications_.reset();  // its bus and timers are on the display's loop
    control_.reset();
    containers_.clear();  // before the audio router and compositor they release themselves from
    audio_.reset();
    WorkerCall::abandon_all();  // their event sources are on the loop that goes next
    for (SignalWatch* w : {&sigterm_, &sigint_, &sigchld_}) w->remove();  // before their loop goes
    server_.reset();
    supervisor_.reset();  // its pipe closes: it stops our containers, without holding up our exit
}

void Session::autostart(const SessionConfig& config)
{
    autostart_ = std::make_unique<Autostart>(
        server_->loop(), config, [this](const json& req, ControlServer::Reply reply) { handle(req, std::move(reply)); },
        [this](const std::string& message) {
            wlr_log(WLR_ERROR, "%s", message.c_str());
            server_->notify(message);
        });
}

int Session::run()
{
    std::printf("WAYLAND_DISPLAY=%s\n", server_->socket_name().c_str());
    std::fflush(stdout);
    server_->run();
    return 0;
}

// The control socket's commands, sorted by name (sway's commands.c): each
// handler gets its request checked against its schema (control_protocol.hpp).
struct Session::Command {
    std::string_view name;
    void (Session::*run)(const json& request, ControlServer::Reply reply);
};

const Session::Command* Session::find_command(std::string_view name)
{
    static const Command table[] = {
        {"apps", &Session::apps},     {"audio", &Session::audio},         {"clipboard", &Session::clipboard},
        {"key", &Session::key},       {"notify", &Session::notify},       {"pointer", &Session::pointer},
        {"quit", &Session::quit},     {"socket", &Session::open_socket},  {"spawn", &Session::spawn},
        {"status", &Session::status}, {"stop", &Session::stop},           {"type", &Session::type},
        {"views", &Session::views},   {"workspace", &Session::workspace},
    };
    auto it = std::lower_bound(std::begin(table), std::end(table), name,
                               [](const Command& c, std::string_view n) { return c.name < n; });
    return it != std::end(table) && it->name == name ? it : nullptr;
}

void Session::handle(const json& req, ControlServer::Reply reply)
{
    if (std::string problem = check_request_fields(req); !problem.empty()) return reply(error(problem));
    const std::string cmd = req["cmd"].get<std::string>();
    const Command* command = find_command(cmd);
    if (!command) return reply(error("unknown command '" + cmd.substr(0, 40) + "'"));
    try {
        // The handler gets a copy: `reply` must still answer in the catch below.
        (this->*command->run)(req, reply);
    } catch (const std::exception& e) {
        reply(error(e.what()));
    }
}

void Session::status(const json&, ControlServer::Reply reply)
{
    reply(status_reply());
}

void Session::views(const json&, ControlServer::Reply reply)
{
    reply(views_reply(*server_));
}

void Session::clipboard(const json&, ControlServer::Reply reply)
{
    reply(clipboard_reply(*server_));
}

// The input latency bench subtracts `injected_ns` from the client's own stamp.
void Session::key(const json& req, ControlServer::Reply reply)
{
    std::uint64_t injected = monotonic_nsec();
    std::string err = server_->seat().type_combo(req.get<control::Key>().combo);
    reply(err.empty() ? json{{"ok", true}, {"injected_ns", injected}} : error(err));
}

void Session::type(const json& req, ControlServer::Reply reply)
{
    std::uint64_t injected = monotonic_nsec();
    std::string err = server_->seat().type_text(req.get<control::Type>().text);
    reply(err.empty() ? json{{"ok", true}, {"injected_ns", injected}} : error(err));
}

void Session::workspace(const json& req, ControlServer::Reply reply)
{
    auto r = req.get<control::Workspace>();
    if (r.slot) {
        if (!server_->switch_to_slot(*r.slot)) return reply(error("no workspace in slot " + std::to_string(*r.slot)));
    } else {
        Workspace* ws = server_->find_workspace(r.name);
        if (!ws) return reply(error("no workspace named '" + r.name + "'"));
        server_->switch_to(*ws);
    }
    reply(status_reply());
}

void Session::notify(const json& req, ControlServer::Reply reply)
{
    server_->notify(req.get<control::Notify>().message);
    reply(control::ok());
}

void Session::quit(const json&, ControlServer::Reply reply)
{
    reply(control::ok());
    server_->terminate();
}

json Session::status_reply() const
{
    json out = ctop::status_reply(*server_, [this](const std::string& name) { return find_container(name); });
    out["launcher_open"] = launcher_->running();
    if (notifications_) out["notifications"] = notifications_->status();
    return out;
}

void Session::pointer(const json& req, ControlServer::Reply reply)
{
    TestPointer* p = server_->test_pointer();
    if (!p) return reply(error("the session has no test pointer (start it with --test-input)"));
    std::string bad;
    std::optional<control::Pointer> r = control::parse_pointer(req, &bad);
    if (!r) return reply(error(bad));
    auto answer = [reply](const std::string& err) { reply(err.empty() ? json{{"ok", true}} : error(err)); };
    using Action = control::Pointer::Action;
    static const uint32_t buttons[] = {BTN_LEFT, BTN_RIGHT, BTN_MIDDLE};  // as Pointer::Button
    const uint32_t button = buttons[static_cast<int>(r->button)];
    switch (r->action) {
    case Action::move: {
        std::uint64_t injected = monotonic_nsec();
        std::string err = p->move(r->x, r->y);
        return reply(err.empty() ? json{{"ok", true}, {"injected_ns", injected}} : error(err));
    }
    case Action::click:
        return p->click(button, answer);
    case Action::scroll:
        return answer(p->scroll(r->dy));
    case Action::drag: {
        static const std::map<std::string, uint32_t> modifier_keys = {
            {"super", KEY_LEFTMETA}, {"ctrl", KEY_LEFTCTRL}, {"alt", KEY_LEFTALT}, {"shift", KEY_LEFTSHIFT}};
        std::vector<uint32_t> hold;
        for (const std::string& name : r->hold) hold.push_back(modifier_keys.at(name));
        return p->drag(r->x, r->y, r->to_x, r->to_y, button, std::move(hold), answer);
    }
    }
}

ContainerSession& Session::container(const std::string& name)
{
    auto it = containers_.find(name);
    if (it == containers_.end()) {
        auto c = std::make_unique<ContainerSession>(*server_, *audio_, name, [this, name] { answer_spawns_of(name); });
        it = containers_.emplace(name, std::move(c)).first;
    }
    return *it->second;
}

ContainerSession* Session::find_container(const std::string& name) const
{
    auto it = containers_.find(name);
    return it == containers_.end() ? nullptr : it->second.get();
}

void Session::open_socket(const json& req, ControlServer::Reply reply)
{
    const std::string name = req.get<control::Socket>().name;
    if (!containers::Container::valid_name(name) || is_host(name)) return reply(error(bad_name_message(name)));
    reply({{"ok", true}, {"socket", container(name).socket().socket_path().string()}});
}

// The policy's desktop, re-issued as an ordinary spawn of the script that
// runs it on Xephyr; the compositor is told to expect its window.
void Session::spawn_desktop(const control::Spawn& r, const ContainerPolicy& policy, ControlServer::Reply reply)
{
    if (auto problem = desktop_problem(policy)) return reply(error(*problem));
    control::Spawn app = r;
    app.desktop = false;
    app.argv = desktop_argv(policy.desktop);
    server_->expect_desktop(r.name, true);
    spawn(control::request(app), [this, name = r.name, reply](const json& result) {
        if (!result.value("ok", false)) server_->expect_desktop(name, false);
        reply(result);
    });
}

void Session::spawn(const json& req, ControlServer::Reply reply)
{
    const auto r = req.get<control::Spawn>();
    const std::string& name = r.name;
    if (!containers::Container::valid_name(name) || is_host(name)) return reply(error(bad_name_message(name)));
    // The policy is a small local file: reading it here does not stall the loop.
    ContainerPolicy policy = ContainerPolicy::load_or_default(name, paths::policy_file(name));
    if (r.desktop) return spawn_desktop(r, policy, std::move(reply));
    ContainerSession& live = container(name);
    const std::string lxcpath = r.lxcpath.empty() ? paths::lxcpath().string() : r.lxcpath;
    live.apply(policy, lxcpath);
    if (spawn_through_agent(live, req, policy.audio, reply)) return;

    json shares = json::array();
    for (const auto& s : policy.shares)
        shares.push_back({{"host", s.host.string()}, {"path", s.path}, {"read_only", s.read_only}});
    auto logs = paths::broker_runtime_dir() / "logs";
    std::filesystem::create_directories(logs);
    json work = {
        {"op", "spawn"},
        {"name", name},
        {"lxcpath", lxcpath},
        {"runtime_dir", live.socket().dir().string()},
        {"shares", shares},
        {"argv", r.argv},
        {"env", r.env},
        {"audio", policy.audio},
        {"network", std::string(net::to_string(policy.network))},
        {"devices", {{"gpu", policy.gpu}, {"camera", policy.camera}, {"usb", policy.usb}, {"paths", policy.devices}}},
        {"limits",
         {{"memory", policy.memory_bytes ? json(*policy.memory_bytes) : json()},
          {"pids", policy.pids ? json(*policy.pids) : json()},
          {"cpu_weight", policy.cpu_weight ? json(*policy.cpu_weight) : json()}}},
        {"log", (logs / (name + ".log")).string()},
        {"session_pid", getpid()}};
    // The container's audio sockets, made once per container start: the
    // worker binds them, the session keeps them (see arm_audio).
    std::vector<int> audio_fds;
    if (policy.audio && !live.audio_ready()) {
        try {
            audio_fds = live.new_audio_sockets();
        } catch (const std::exception& e) {
            wlr_log(WLR_ERROR, "%s", e.what());
        }
    }
    work["audio_sockets"] = !audio_fds.empty();
    live_lxcpath_[name] = lxcpath;
    // Supervised before the worker may start it: a session killed mid-spawn
    // still has its supervisor stop the container.
    const bool supervised_before = live.supervised();
    if (supervisor_ && !supervised_before) supervisor_->own(name, lxcpath);
    live.set_supervised(true);
    auto worker = std::make_shared<pid_t>(-1);
    *worker = WorkerCall::start(
        server_->loop(), work,
        [this, name, reply, work, lxcpath, supervised_before, worker](const json& result) {
            if (supervisor_ && *worker > 0) supervisor_->worker_done(*worker);
            ContainerSession* live = find_container(name);  // a stop may have come first
            // Never started (and no lost worker may have started it): not ours to stop.
            if (!result.value("ok", false) && !result.value("started", false) && !result.value("worker_lost", false) &&
                !supervised_before) {
                if (supervisor_) supervisor_->release(name, lxcpath);
                if (live) live->set_supervised(false);
            }
            if (result.value("restarted", false))
                wlr_log(WLR_INFO,
                        "container %s: an ended session left it running: restarted it with this session's sockets",
                        name.c_str());
            if (live && work.value("audio_sockets", false)) {
                live->audio_sockets_bound(result.value("audio_armed", false));
                arm_audio(*live, lxcpath);
            }
            if (!result.value("ok", false)) {
                // Nothing runs in it: release it again.
                if (live && !result.value("started", false) && !live->has_apps() && !live->supervised())
                    containers_.erase(name);
                return reply(result);
            }
            json out = result;
            out["via"] = "worker";
            if (live) {
                live->start_agent(lxcpath, agent_hooks(name));
            }
            bool awaits_app =
                result.contains("pid") && result["pid"].is_number_integer() && result["pid"].get<pid_t>() > 0;
            if (awaits_app && live) live->add_app(result["pid"].get<pid_t>());
            if (out.contains("audio_error"))
                wlr_log(WLR_ERROR, "container %s: no audio: %s", name.c_str(),
                        out["audio_error"].get<std::string>().c_str());
            if (Workspace* ws = server_->find_workspace(name)) out["workspace"] = server_->slot_of(*ws);
            if (!awaits_app) return reply(out);
            std::string program = work["argv"].empty() ? "?" : work["argv"][0].get<std::string>();
            await_app({{"", result["pid"].get<pid_t>()},
                       name,
                       program,
                       work["log"].get<std::string>(),
                       result.value("log_offset", std::int64_t{0}),
                       out,
                       reply,
                       nullptr});
        },
        120000, audio_fds);
    if (supervisor_ && *worker > 0) supervisor_->worker_started(*worker);
}

// Its route closed on its own. A bridge that died while its daemon runs is
// started again (after a pause: one that keeps dying must not keep the
// session starting workers). A daemon that died gets new sockets before the
// next one starts: its user may have taken the old one and serve it.
void Session::audio_closed(const std::string& name)
{
    ContainerSession* live = find_container(name);
    if (!live || !live->audio_ready()) return;
    const std::string lxcpath = live_lxcpath_[name];
    if (running_container_pipewire(live->socket().dir()) > 0) {
        wlr_log(WLR_INFO, "container %s: its PipeWire still runs: a new audio bridge in 2 s", name.c_str());
        live->after_audio_pause(2000, [this, name, lxcpath] { start_audio(name, lxcpath); });
        return;
    }
    wlr_log(WLR_INFO, "container %s: its PipeWire is gone: new audio sockets for the next one", name.c_str());
    std::vector<int> fds;
    try {
        fds = live->new_audio_sockets();
    } catch (const std::exception& e) {
        wlr_log(WLR_ERROR, "%s", e.what());
        live->audio_sockets_bound(false);
        return;
    }
    json work = {{"op", "audio_sockets"},
                 {"name", name},
                 {"lxcpath", lxcpath},
                 {"runtime_dir", live->socket().dir().string()},
                 {"log", (paths::broker_runtime_dir() / "logs" / (name + ".log")).string()}};
    WorkerCall::start(
        server_->loop(), work,
        [this, name, lxcpath](const json& result) {
            ContainerSession* live = find_container(name);
            if (!live) return;
            if (!result.value("ok", false)) {
                wlr_log(WLR_ERROR, "container %s: no audio: %s", name.c_str(),
                        result.value("error", std::string("?")).c_str());
                live->audio_sockets_bound(false);  // the next spawn tries again
                return;
            }
            arm_audio(*live, lxcpath);
        },
        60000, fds);
}

void Session::arm_audio(ContainerSession& live, const std::string& lxcpath)
{
    const std::string name = live.name();
    live.arm_audio([this, name, lxcpath] { start_audio(name, lxcpath); });
}

// Runs on the event loop when an app first connects to the container's
// audio: the worker starts the daemons (liblxc blocks; the loop never
// does), then the bridge connects them to the host.
void Session::start_audio(const std::string& name, const std::string& lxcpath)
{
    ContainerSession* live = find_container(name);
    if (!live || !live->audio_ready() || live->has_audio()) return;
    wlr_log(WLR_INFO, "container %s: first audio client: starting its PipeWire", name.c_str());
    audio_->expect(name);
    json work = {{"op", "audio"},
                 {"name", name},
                 {"lxcpath", lxcpath},
                 {"runtime_dir", live->socket().dir().string()},
                 {"log", (paths::broker_runtime_dir() / "logs" / (name + ".log")).string()}};
    auto worker = std::make_shared<pid_t>(-1);
    *worker = WorkerCall::start(
        server_->loop(), work,
        [this, name, lxcpath, worker](const json& result) {
            if (supervisor_ && *worker > 0) supervisor_->worker_done(*worker);
            ContainerSession* live = find_container(name);  // a stop may have come first
            std::string why;
            if (!live) why = "container '" + name + "' stopped";
            else if (!result.value("ok", false)) why = result.value("error", std::string("the audio start failed"));
            else {
                // The policy may have changed since the spawn (`ctopbroker audio --allow-mic`).
                AudioSettings settings{ContainerPolicy::load_or_default(name, paths::policy_file(name)).mic};
                try {
                    live->attach_audio(result.value("audio_socket", std::string()), result.value("init_pid", -1),
                                       settings);
                } catch (const std::exception& e) {
                    why = e.what();
                }
            }
            if (why.empty()) return;
            wlr_log(WLR_ERROR, "container %s: no audio: %s", name.c_str(), why.c_str());
            audio_->give_up(name, "container '" + name + "' has no audio: " + why);
            if (!live) return;
            // After a pause, so a container cannot keep the session starting
            // workers: a daemon that runs gets its bridge again; else the
            // worker closed the connections that waited, and the next client
            // tries again.
            bool daemon_runs = result.value("ok", false);
            live->after_audio_pause(2000, [this, name, lxcpath, daemon_runs] {
                ContainerSession* again = find_container(name);
                if (!again) return;
                if (daemon_runs) return start_audio(name, lxcpath);
                arm_audio(*again, lxcpath);
            });
        },
        60000, live->audio_fds());
    if (supervisor_ && *worker > 0) supervisor_->worker_started(*worker);
}

// What the session does with what container `name`'s agent reports.
ContainerAgent::Hooks Session::agent_hooks(const std::string& name)
{
    ContainerAgent::Hooks hooks;
    hooks.app_exited = [this, name](pid_t pid, int status) { answer_spawn({name, pid}, &status); };
    hooks.notified = [this, name](const ContainerNotification& n) {
        if (!notifications_) {
            // Back to the container whose notification it was, through its agent.
            auto tell = [this](const std::string& container, const std::string& event) {
                if (ContainerSession* c = find_container(container))
                    if (ContainerAgent* agent = c->live_agent()) agent->tell(event);
            };
            NotificationRelay::Hooks back;
            back.closed = [tell](const std::string& c, std::uint32_t id, std::uint32_t reason) {
                tell(c, agent_closed_event(id, reason));
            };
            back.action = [tell](const std::string& c, std::uint32_t id, const std::string& key) {
                tell(c, agent_action_event(id, key));
            };
            notifications_ =
                std::make_unique<NotificationRelay>(server_->loop(), server_->socket_name(), std::move(back));
        }
        Workspace* ws = server_->find_workspace(name);
        notifications_->notify(name, ws ? ws->color().hex() : "", n);
    };
    hooks.closed = [this, name](std::uint32_t id) {
        if (notifications_) notifications_->close(name, id);
    };
    return hooks;
}

bool Session::spawn_through_agent(ContainerSession& live, const json& req, bool audio, ControlServer::Reply reply)
{
    ContainerAgent* agent = live.live_agent();
    if (!agent) return false;
    // The container has no audio sockets yet (its policy has just turned
    // audio on): the worker makes them, as on a cold spawn.
    if (audio && !live.audio_ready()) return false;
    const std::string name = live.name();
    const auto r = req.get<control::Spawn>();
    const std::vector<std::string>& argv = r.argv;
    if (argv.empty()) {
        // The container runs and is prepared: nothing to do.
        json out = {{"ok", true}, {"started", false}};
        if (Workspace* ws = server_->find_workspace(name)) out["workspace"] = server_->slot_of(*ws);
        reply(out);
        return true;
    }
    auto log = paths::broker_runtime_dir() / "logs" / (name + ".log");
    std::error_code ec;
    auto log_offset = static_cast<std::int64_t>(std::filesystem::file_size(log, ec));
    if (ec) log_offset = 0;
    AgentSpawn work{argv, app_environment(name, audio, r.env)};
    return agent->request(
        work, [this, name, req, reply, argv, log, log_offset](const AgentMessage* r, const std::string& why) {
            // The agent went away meanwhile: the worker starts the app (and a new agent).
            if (!r) return spawn(req, reply);
            if (!r->ok) return reply(error("container '" + name + "': " + r->error));
            if (r->pid <= 0) return reply(error("container '" + name + "': its agent named no app"));
            json out = {
                {"ok", true}, {"started", false}, {"pid", r->pid}, {"pid_namespace", "container"}, {"via", "agent"}};
            if (Workspace* ws = server_->find_workspace(name)) out["workspace"] = server_->slot_of(*ws);
            await_app({{name, r->pid}, name, argv[0], log, log_offset, out, reply, nullptr});
        });
}

// `ctopbroker apps [NAME]`: each running container's agent lists its apps;
// a container that is not running shows what its agent listed last.
void Session::apps(const json& req, ControlServer::Reply reply)
{
    const std::string only = req.get<control::Apps>().name;
    if (!only.empty() && (!containers::Container::valid_name(only) || is_host(only)))
        return reply(error(bad_name_message(only)));
    struct Gather {
        json out = {{"ok", true}, {"apps", json::object()}, {"errors", json::object()}};
        int waiting = 1;
        ControlServer::Reply reply;
        void one_done()
        {
            if (--waiting == 0) reply(out);
        }
    };
    auto gather = std::make_shared<Gather>();
    gather->reply = reply;
    auto listed = [](const std::vector<DesktopApp>& apps) {
        json list = json::array();
        for (const auto& a : apps) list.push_back({{"id", a.id}, {"name", a.name}, {"exec", a.exec}, {"icon", a.icon}});
        return list;
    };
    for (const auto& [name, apps] : known_apps_)
        if (only.empty() || name == only) gather->out["apps"][name] = listed(apps);
    for (auto& [name, live] : containers_) {
        ContainerAgent* agent = live->agent();
        if (!agent || (!only.empty() && name != only)) continue;
        ++gather->waiting;
        std::string container = name;
        bool sent = agent->request(
            AgentListApps{}, [this, gather, container, listed](const AgentMessage* r, const std::string& why) {
                if (r && r->ok && r->apps) {
                    known_apps_[container] = *r->apps;
                    gather->out["apps"][container] = listed(*r->apps);
                } else {
                    gather->out["errors"][container] = r ? (r->ok ? "its agent sent no list" : r->error) : why;
                }
                gather->one_done();
            });
        if (!sent) --gather->waiting;
    }
    if (!only.empty() && !gather->out["apps"].contains(only) && gather->waiting == 1)
        return reply(error("container '" + only + "' has not run since the session started: `ctopbroker spawn " + only +
                           "` starts it, then its apps are known"));
    gather->one_done();
}

void Session::stop(const json& req, ControlServer::Reply reply)
{
    const auto r = req.get<control::Stop>();
    const std::string name = r.name;
    const std::string lxcpath = r.lxcpath.empty() ? paths::lxcpath().string() : r.lxcpath;
    if (!containers::Container::valid_name(name)) return reply(error(bad_name_message(name)));
    json work = {{"op", "stop"}, {"name", name}, {"lxcpath", lxcpath}};
    WorkerCall::start(server_->loop(), work, [this, name, lxcpath, reply](const json& result) {
        if (result.value("ok", false)) {
            ContainerSession* live = find_container(name);
            if (live && live->supervised() && supervisor_) supervisor_->release(name, lxcpath);
            containers_.erase(name);
        }
        reply(result);
    });
}

// `ctopbroker audio NAME [--mute|--unmute] [--volume N] [--allow-mic|--deny-mic]`.
// The microphone grant is policy and outlives the session; volume and mute
// belong to the running route.
void Session::audio(const json& req, ControlServer::Reply reply)
{
    const auto r = req.get<control::Audio>();
    const std::string& name = r.name;
    if (!containers::Container::valid_name(name) || is_host(name)) return reply(error(bad_name_message(name)));
    json changes = json::object();
    if (r.mute) changes["mute"] = *r.mute;
    if (r.volume) {
        if (*r.volume < 0 || *r.volume > 1.5) return reply(error("volume must be between 0 and 150 (percent)"));
        changes["volume"] = *r.volume;
    }
    if (r.mic) {
        auto file = paths::policy_file(name);
        if (!std::filesystem::exists(file) && !audio_->attached(name))
            return reply(
                error("container '" + name + "' does not exist: create it with `ctopbroker create " + name + "`"));
        ContainerPolicy policy = ContainerPolicy::load_or_default(name, file);
        policy.mic = *r.mic;
        policy.save(file);
        changes["mic"] = policy.mic;
        wlr_log(WLR_INFO, "container %s: microphone %s", name.c_str(), policy.mic ? "granted" : "denied");
        if (!audio_->attached(name))
            return reply({{"ok", true}, {"state", {{"container", name}, {"running", false}, {"mic", policy.mic}}}});
    }
    // A change to a container whose audio has not started yet starts it (the
    // request waits for its bridge); a question only gets the answer that
    // nothing runs.
    ContainerSession* live = find_container(name);
    if (live && !changes.empty() && !audio_->attached(name) && !audio_->starting(name) && live->audio_ready())
        start_audio(name, live_lxcpath_[name]);
    audio_->request(name, changes, [reply](const json& r) {
        json out = r;
        if (out.contains("state")) out["state"]["running"] = true;
        reply(out);
    });
}

}  // namespace ctop
