// Audio bridges and the host's PipeWire, seen from the session.
#include "audio_router.hpp"

#include "audio_daemon.hpp"
#include "audio_messages.hpp"
#include "child_process.hpp"
#include "control_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "wlr.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ctop {
using nlohmann::json;
namespace fs = std::filesystem;

struct AudioRouter::Route {
    std::string container;
    pid_t pid = -1;
    int to_bridge = -1;
    int from_bridge = -1;
    wl_event_source* source = nullptr;
    RequestReader lines{max_bridge_line};
    int next_id = 1;
    std::deque<std::pair<int, Reply>> pending;
    AudioRouter* router = nullptr;

    ~Route()
    {
        if (source) wl_event_source_remove(source);
        if (to_bridge >= 0) close(to_bridge);
        if (from_bridge >= 0) close(from_bridge);
        if (pid > 0) kill(pid, SIGTERM);  // reaped by the session's SIGCHLD handler
        for (auto& [id, reply] : pending)
            reply({{"ok", false}, {"error", "the audio bridge of '" + container + "' stopped"}});
    }
};

namespace {

// Where libpipewire would connect with the session's environment.
fs::path host_pipewire_socket()
{
    const char* remote = std::getenv("PIPEWIRE_REMOTE");
    std::string name = remote && *remote ? remote : "pipewire-0";
    if (name[0] == '/') return name;
    const char* dir = std::getenv("PIPEWIRE_RUNTIME_DIR");
    if (!dir || !*dir) dir = std::getenv("XDG_RUNTIME_DIR");
    return fs::path(dir ? dir : "/run/user/0") / name;
}

}  // namespace

AudioRouter::AudioRouter(wl_event_loop* loop) : loop_(loop) {}

AudioRouter::~AudioRouter()
{
    routes_.clear();
    if (own_pipewire_ > 0) kill(own_pipewire_, SIGTERM);
}

// A desktop login has the user's PipeWire running (socket-activated by the
// user's service manager). A bare TTY, a headless demo or a test has none:
// then the session runs one for its containers, in its own runtime dir.
void AudioRouter::ensure_host_pipewire()
{
    if (own_pipewire_ > 0 && kill(own_pipewire_, 0) == 0) return;
    fs::path socket = host_pipewire_socket();
    if (socket_answers(socket)) return;
    own_pipewire_ = start_dependent_child({"pipewire"});
    wlr_log(WLR_INFO, "no PipeWire answered on %s: started one (pid %d) for the containers' audio", socket.c_str(),
            own_pipewire_);
}

void AudioRouter::attach(const std::string& container, const fs::path& socket, pid_t init,
                         const AudioSettings& settings)
{
    if (attached(container)) return;
    ensure_host_pipewire();
    Helper bridge = start_helper("_audio");
    auto route = std::make_unique<Route>();
    route->container = container;
    route->router = this;
    route->pid = bridge.pid;
    route->to_bridge = bridge.to_child;
    route->from_bridge = bridge.from_child;
    fcntl(route->to_bridge, F_SETFL, O_NONBLOCK);
    fcntl(route->from_bridge, F_SETFL, O_NONBLOCK);
    json config = {{"container", container},
                   {"container_socket", socket.string()},
                   {"host_socket", host_pipewire_socket().string()},
                   {"init_pid", init},
                   {"mic", settings.mic},
                   {"volume", settings.volume},
                   {"mute", settings.mute}};
    std::string line = config.dump() + "\n";
    if (write(route->to_bridge, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        throw std::runtime_error("cannot configure the audio bridge of '" + container + "'");
    route->source = wl_event_loop_add_fd(
        loop_, route->from_bridge, WL_EVENT_READABLE,
        [](int fd, uint32_t, void* data) {
            auto* route = static_cast<Route*>(data);
            char buf[4096];
            ssize_t n;
            std::vector<std::string> lines;
            bool within_bound = true;
            while (within_bound && (n = read(fd, buf, sizeof buf)) > 0)
                within_bound = route->lines.feed({buf, static_cast<size_t>(n)}, lines);
            bool drained = n < 0 && errno == EAGAIN;  // before on_line() touches errno
            for (const std::string& line : lines) route->router->on_line(*route, line);
            if (!within_bound) {
                route->router->drop(route->container, "its audio bridge sent an overlong line");
                return 0;
            }
            if (drained) return 0;
            // EOF: the bridge exited (its container's daemon went away, or it
            // failed); the session's SIGCHLD handler has reaped or will reap it.
            route->pid = -1;
            route->router->drop(route->container, "its audio bridge exited");
            return 0;
        },
        route.get());
    wlr_log(WLR_INFO, "container %s: audio bridge started (pid %d)", container.c_str(), route->pid);
    Route& started = *route;
    routes_[container] = std::move(route);
    // Requests made while it started: the bridge reads them after its set-up.
    auto waiting = waiting_.extract(container);
    if (!waiting.empty())
        for (auto& [changes, reply] : waiting.mapped()) send(started, std::move(changes), std::move(reply));
}

void AudioRouter::give_up(const std::string& container, const std::string& why)
{
    auto waiting = waiting_.extract(container);
    if (waiting.empty()) return;
    for (auto& [changes, reply] : waiting.mapped()) reply({{"ok", false}, {"error", why}});
}

void AudioRouter::on_line(Route& route, const std::string& line)
{
    std::optional<BridgeMessage> msg = parse_bridge_message(line);
    if (!msg) return;
    if (!msg->id) {
        wlr_log(WLR_INFO, "container %s: audio: %s %s", route.container.c_str(), msg->event.c_str(),
                msg->message.c_str());
        return;
    }
    while (!route.pending.empty()) {
        auto [pending_id, reply] = std::move(route.pending.front());
        route.pending.pop_front();
        if (pending_id == *msg->id) {
            reply(msg->body);
            break;
        }
    }
}

void AudioRouter::drop(const std::string& which, const std::string& why, bool notify)
{
    auto it = routes_.find(which);
    if (it == routes_.end()) return;
    const std::string container = which;  // `which` may be the route's own name, gone with it
    wlr_log(WLR_INFO, "container %s: audio route closed: %s", container.c_str(), why.c_str());
    routes_.erase(it);
    if (notify && on_closed) on_closed(container);
}

void AudioRouter::detach(const std::string& container)
{
    give_up(container, "container '" + container + "' stopped");
    drop(container, "the container stopped", false);
}

void AudioRouter::request(const std::string& container, json changes, Reply reply)
{
    if (starting(container)) {
        waiting_[container].emplace_back(std::move(changes), std::move(reply));
        return;
    }
    auto it = routes_.find(container);
    if (it == routes_.end())
        return reply({{"ok", false},
                      {"error", "container '" + container +
                                    "' has no audio route: spawn it first (with audio = true in "
                                    "its policy); a running container's audio starts with its first audio client"}});
    send(*it->second, std::move(changes), std::move(reply));
}

void AudioRouter::send(Route& route, json changes, Reply reply)
{
    const std::string& container = route.container;
    changes["id"] = route.next_id++;
    std::string line = changes.dump() + "\n";
    if (write(route.to_bridge, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        return reply({{"ok", false}, {"error", "the audio bridge of '" + container + "' does not answer"}});
    route.pending.emplace_back(changes["id"].get<int>(), std::move(reply));
}

}  // namespace ctop
