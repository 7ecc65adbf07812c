// The container worker: a short-lived child process (`ctopbroker _worker`)
// that does the blocking liblxc work for the session. The session writes one
// JSON request to its stdin and reads one JSON reply from its stdout on the
// event loop, so a slow or crashing liblxc call never stalls or kills the
// compositor.
#pragma once

#include <wayland-server-core.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

namespace ctop {

// Entry point of `ctopbroker _worker`.
int worker_main();

// Does the request's work in-process; used by worker_main and by CLI
// commands that may block (create, destroy, list, exec).
nlohmann::json worker_handle(const nlohmann::json& request);

// One request to a fresh worker process, answered asynchronously on `loop`.
// The callback always runs exactly once: with the worker's reply, or with
// {"ok": false, "error": ...} if it died or timed out.
class WorkerCall {
public:
    using Done = std::function<void(const nlohmann::json& reply)>;
    static void start(wl_event_loop* loop, const nlohmann::json& request, Done done, int timeout_ms = 120000);

private:
    WorkerCall() = default;
    static int on_readable(int fd, uint32_t mask, void* data);
    static int on_timeout(void* data);
    void finish(const nlohmann::json& reply);

    pid_t pid_ = -1;
    int fd_ = -1;
    wl_event_source* source_ = nullptr;
    wl_event_source* timer_ = nullptr;
    std::string buffer_;
    Done done_;
};

}  // namespace ctop
