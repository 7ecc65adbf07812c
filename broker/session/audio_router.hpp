// AudioRouter: the session's side of per-container audio. It makes sure the
// host has a PipeWire (the user's, or one it starts), runs one audio bridge
// process per container (broker/helpers/audio_bridge.hpp) and relays `ctopbroker
// audio` requests to it. Everything is non-blocking on the event loop; the
// bridges do all PipeWire work in their own processes.
#pragma once

#include <wayland-server-core.h>

#include <nlohmann/json.hpp>

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ctop {

struct AudioSettings {
    bool mic = false;
    double volume = 1.0;
    bool mute = false;
};

class AudioRouter {
public:
    using Reply = std::function<void(const nlohmann::json&)>;

    explicit AudioRouter(wl_event_loop* loop);
    ~AudioRouter();
    AudioRouter(const AudioRouter&) = delete;
    AudioRouter& operator=(const AudioRouter&) = delete;

    // Starts the container's bridge to its daemon at `socket` (host path),
    // unless one is running. Throws when the bridge cannot be started.
    // `init` is the container's init pid on the host.
    void attach(const std::string& container, const std::filesystem::path& socket, pid_t init,
                const AudioSettings& settings);
    void detach(const std::string& container);
    bool attached(const std::string& container) const { return routes_.count(container) > 0; }
    // Sends {"mute", "volume", "mic"} (any of them, or none to ask) to the
    // container's bridge; `reply` gets {"ok", "state"} or {"ok": false, "error"}.
    // While the container's audio is starting (expect()), requests wait for
    // its bridge.
    void request(const std::string& container, nlohmann::json changes, Reply reply);

    // The container's audio is starting (its first audio client connected):
    // requests wait for attach(), or for give_up(), which answers them with
    // `why`.
    void expect(const std::string& container) { waiting_[container]; }
    bool starting(const std::string& container) const { return waiting_.count(container) > 0; }
    void give_up(const std::string& container, const std::string& why);

    // Called when a running route closes on its own (its bridge or daemon
    // went away), not when detach() closes it.
    std::function<void(const std::string& container)> on_closed;

private:
    struct Route;
    void ensure_host_pipewire();
    void on_line(Route& route, const std::string& line);
    void drop(const std::string& container, const std::string& why, bool notify = true);
    void send(Route& route, nlohmann::json changes, Reply reply);

    wl_event_loop* loop_;
    std::map<std::string, std::unique_ptr<Route>> routes_;
    std::map<std::string, std::vector<std::pair<nlohmann::json, Reply>>> waiting_;
    pid_t own_pipewire_ = -1;
};

}  // namespace ctop
