// ContainerAgent: the session's side of one container's agent
// (helpers/agent.cpp). It starts the agent with one end of a socket pair that
// only the two of them hold, sends it requests and reads its lines on the
// event loop, each checked as hostile input (agent_protocol.hpp). A line that
// is malformed, oversized or out of place, or a request left unanswered, ends
// the agent: the next spawn goes through the worker and starts a new one.
#pragma once

#include "agent_protocol.hpp"
#include "event_source.hpp"
#include "unique_fd.hpp"

#include <wayland-server-core.h>

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ctop {

class ContainerAgent {
public:
    struct Hooks {
        std::function<void(pid_t pid, int status)> app_exited;  // pid inside the container
        std::function<void(const std::string& why)> gone;
        // A notification an app sent (sanitised), and one it closed.
        std::function<void(const ContainerNotification& n)> notified;
        std::function<void(std::uint32_t id)> closed;
    };
    // Called exactly once: with the agent's reply (ok or not), or with
    // nullptr and why there is none (the agent is gone, broke the protocol,
    // or took longer than the timeout).
    using Done = std::function<void(const AgentMessage* reply, const std::string& error)>;

    // Starts `ctopbroker-helper _agent` for running container `name`; its stderr
    // (and its apps' output) goes to `log_fd`. Throws when it cannot start.
    ContainerAgent(wl_event_loop* loop, std::string name, const std::string& lxcpath, int log_fd, Hooks hooks);
    ~ContainerAgent();
    ContainerAgent(const ContainerAgent&) = delete;
    ContainerAgent& operator=(const ContainerAgent&) = delete;

    bool alive() const { return static_cast<bool>(fd_); }
    pid_t pid() const { return pid_; }  // the agent's pid on the host, once it said; else -1
    // `call` gets an id and is sent. False, without calling `done`, when
    // the agent is gone or does not take it (then it is ended).
    bool request(const AgentCall& call, Done done, int timeout_ms = 5000);
    // A line the agent does not answer (agent_closed_event...). False when
    // the agent is gone or does not take it (then it is ended).
    bool tell(const std::string& event);

private:
    struct Pending {
        Done done;
        std::unique_ptr<Timer> timer;  // ends the agent when it does not answer
    };
    bool send_line(const std::string& text, const char* not_reading);
    void flush();
    void on_ready(uint32_t mask);
    void on_readable();
    void take(const std::string& line);
    void end(const std::string& why);

    wl_event_loop* loop_;
    std::string name_;
    Hooks hooks_;
    UniqueFd fd_;
    pid_t pid_ = -1;
    FdWatch watch_;
    std::string buffer_;
    std::string unsent_;  // written when the socket takes it (flush)
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, Pending> pending_;
};

}  // namespace ctop
