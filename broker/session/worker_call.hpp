// The session's side of the container worker (helpers/worker.hpp): the
// blocking liblxc work runs in a child process, its reply is read here on the
// event loop.
#pragma once

#include <wayland-server-core.h>

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace ctop {

// One request to a fresh worker process, answered asynchronously on `loop`.
// The callback always runs exactly once: with the worker's reply, or with
// {"ok": false, "error": ..., "worker_lost": true} if it died or timed out
// (then it may have done part of its work). Returns the worker's pid, or -1
// when it could not start (the callback has run then).
class WorkerCall {
public:
    using Done = std::function<void(const nlohmann::json& reply)>;
    // `fds` become the worker's fds 3, 4, ... (the audio sockets).
    static pid_t start(wl_event_loop* loop, const nlohmann::json& request, Done done, int timeout_ms = 120000,
                       const std::vector<int>& fds = {});
    // The session is going: calls still waiting drop their event sources
    // (before the loop goes) and are freed without calling back; their
    // workers finish on their own.
    static void abandon_all();

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
    std::string what_;  // "the spawn in container 'x'", for messages
    Done done_;
};

}  // namespace ctop
