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
// What waits for the agent to read it (a flood's closed events, say) before
// the agent counts as not reading at all.
constexpr size_t max_unsent = 1024 * 1024;
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
    watch_.watch(loop_, fd_.get(), WL_EVENT_READABLE, [this](uint32_t mask) { on_ready(mask); });
    // First: it waits in the socket's buffer until the agent reads it.
    send_line(agent_hello_line({name_, lxcpath}), "cannot write to it");
}

// Quietly: the session is going or has replaced this agent, and no one
// waits for the requests' answers any more (their timers go with them).
ContainerAgent::~ContainerAgent() = default;

bool ContainerAgent::request(const AgentCall& call, Done done, int timeout_ms)
{
    if (!alive()) return false;
    std::uint64_t id = next_id_++;
    if (!send_line(agent_request_line(id, call), "it does not read its requests")) return false;
    Pending& p = pending_[id] = {std::move(done), std::make_unique<Timer>()};
    p.timer->arm(loop_, timeout_ms, [this] { end("it did not answer in time"); });
    return true;
}

bool ContainerAgent::tell(const std::string& event)
{
    if (!alive()) return false;
    return send_line(event, "it does not read what the session sends");
}

// Never blocks: what the socket does not take now waits in unsent_ and goes
// when the agent reads (a busy agent, mid-flood, is not a broken one). Only
// an agent that lets more than max_unsent pile up is ended.
bool ContainerAgent::send_line(const std::string& text, const char* not_reading)
{
    if (text.size() + 1 > max_agent_line) {
        end("the session's line for it is too long");
        return false;
    }
    unsent_ += text;
    unsent_ += '\n';
    if (unsent_.size() > max_unsent) {
        end(not_reading);
        return false;
    }
    flush();
    return alive();
}

void ContainerAgent::flush()
{
    while (!unsent_.empty()) {
        ssize_t n = send(fd_.get(), unsent_.data(), unsent_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0) return end("cannot write to it: " + std::string(std::strerror(errno)));
        unsent_.erase(0, static_cast<size_t>(n));
    }
    watch_.update(unsent_.empty() ? WL_EVENT_READABLE : WL_EVENT_READABLE | WL_EVENT_WRITABLE);
}

void ContainerAgent::on_ready(uint32_t mask)
{
    if (mask & WL_EVENT_WRITABLE) flush();
    if (alive() && (mask & (WL_EVENT_READABLE | WL_EVENT_HANGUP | WL_EVENT_ERROR))) on_readable();
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
    unsent_.clear();
    wlr_log(WLR_ERROR, "container %s: agent ended: %s", name_.c_str(), printable(why, 300).c_str());
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, p] : pending) p.timer.reset();
    Hooks hooks = hooks_;
    for (auto& [id, p] : pending) p.done(nullptr, "the agent of container '" + name_ + "' ended: " + why);
    if (hooks.gone) hooks.gone(why);
}

}  // namespace ctop
