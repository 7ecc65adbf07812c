// The session's side of a container's agent (see container_agent.hpp).
#include "container_agent.hpp"

#include "audio_messages.hpp"
#include "child_process.hpp"
#include "paths.hpp"

#include "wlr.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ctop {

namespace {
// What one wakeup reads at most: a flooding agent cannot hold the loop.
constexpr size_t max_read_per_wakeup = 256 * 1024;
}  // namespace

ContainerAgent::ContainerAgent(wl_event_loop* loop, std::string name, const std::string& lxcpath, int log_fd,
                               Hooks hooks)
    : loop_(loop), name_(std::move(name)), hooks_(std::move(hooks))
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw std::runtime_error("container '" + name_ + "': no socket for its agent: " + std::strerror(errno));
    UniqueFd ours(sv[0]), theirs(sv[1]);
    start_child({paths::companion_binary("ctopbroker-helper").string(), "_agent"}, theirs.get(), theirs.get(), log_fd);
    fd_ = std::move(ours);
    fcntl(fd_.get(), F_SETFL, O_NONBLOCK);
    watch_.watch(loop_, fd_.get(), WL_EVENT_READABLE, [this](uint32_t) { on_readable(); });
    // Small and first: it sits in the socket's buffer until the agent reads it.
    std::string hello = agent_hello_line({name_, lxcpath}) + "\n";
    if (send(fd_.get(), hello.data(), hello.size(), MSG_DONTWAIT | MSG_NOSIGNAL) != static_cast<ssize_t>(hello.size()))
        end("cannot write to it");
}

// Quietly: the session is going or has replaced this agent, and no one
// waits for the requests' answers any more (their timers go with them).
ContainerAgent::~ContainerAgent() = default;

bool ContainerAgent::request(const AgentCall& call, Done done, int timeout_ms)
{
    if (!alive()) return false;
    std::uint64_t id = next_id_++;
    std::string line = agent_request_line(id, call) + "\n";
    // A request is small; an agent that does not read it is broken.
    if (line.size() > max_agent_line ||
        send(fd_.get(), line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
        end("it does not read its requests");
        return false;
    }
    Pending& p = pending_[id] = {std::move(done), std::make_unique<Timer>()};
    p.timer->arm(loop_, timeout_ms, [this] { end("it did not answer in time"); });
    return true;
}

bool ContainerAgent::tell(const std::string& event)
{
    if (!alive()) return false;
    std::string line = event + "\n";
    if (line.size() > max_agent_line ||
        send(fd_.get(), line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
        end("it does not read what the session sends");
        return false;
    }
    return true;
}

void ContainerAgent::on_readable()
{
    char chunk[16384];
    for (size_t total = 0; total < max_read_per_wakeup;) {
        ssize_t n = read(fd_.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) return end("it exited");
        total += static_cast<size_t>(n);
        buffer_.append(chunk, static_cast<size_t>(n));
        for (size_t nl; alive() && (nl = buffer_.find('\n')) != std::string::npos;) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            take(line);
        }
        if (!alive()) return;
        if (buffer_.size() > max_agent_line)
            return end("it sent a line longer than " + std::to_string(max_agent_line) + " bytes");
    }
}

void ContainerAgent::take(const std::string& line)
{
    std::string problem;
    auto msg = parse_agent_message(line, &problem);
    if (!msg) return end("it sent a bad line (" + problem + ")");
    switch (msg->kind) {
    case AgentMessage::Kind::started:
        if (pid_ > 0) return end("it said twice that it started");
        pid_ = msg->pid;
        wlr_log(WLR_INFO, "container %s: agent started (pid %d)", name_.c_str(), pid_);
        return;
    case AgentMessage::Kind::exited:
        if (hooks_.app_exited) hooks_.app_exited(msg->pid, msg->status);
        return;
    case AgentMessage::Kind::notify:
        if (hooks_.notified) hooks_.notified(msg->notification);
        return;
    case AgentMessage::Kind::close:
        if (hooks_.closed) hooks_.closed(msg->notification.id);
        return;
    case AgentMessage::Kind::reply:
        break;
    }
    auto it = pending_.find(msg->id);
    if (it == pending_.end()) return end("it answered request " + std::to_string(msg->id) + ", which was not asked");
    Pending p = std::move(it->second);
    pending_.erase(it);
    p.timer.reset();
    p.done(&*msg, {});
}

void ContainerAgent::end(const std::string& why)
{
    if (!alive()) return;
    watch_.remove();
    fd_.reset();  // a well-behaved agent leaves on this EOF
    buffer_.clear();
    wlr_log(WLR_ERROR, "container %s: agent ended: %s", name_.c_str(), printable(why, 300).c_str());
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, p] : pending) p.timer.reset();
    Hooks hooks = hooks_;
    for (auto& [id, p] : pending) p.done(nullptr, "the agent of container '" + name_ + "' ended: " + why);
    if (hooks.gone) hooks.gone(why);
}

}  // namespace ctop
