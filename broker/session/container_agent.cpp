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
using nlohmann::json;

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
    try {
        start_child({paths::companion_binary("ctopbroker").string(), "_agent"}, sv[1], sv[1], log_fd);
    } catch (...) {
        close(sv[0]);
        close(sv[1]);
        throw;
    }
    close(sv[1]);
    fd_ = sv[0];
    fcntl(fd_, F_SETFL, O_NONBLOCK);
    source_ = wl_event_loop_add_fd(loop_, fd_, WL_EVENT_READABLE, &ContainerAgent::on_readable, this);
    // Small and first: it sits in the socket's buffer until the agent reads it.
    std::string hello = json{{"container", name_}, {"lxcpath", lxcpath}}.dump() + "\n";
    if (send(fd_, hello.data(), hello.size(), MSG_DONTWAIT | MSG_NOSIGNAL) != static_cast<ssize_t>(hello.size()))
        end("cannot write to it");
}

// Quietly: the session is going or has replaced this agent, and no one
// waits for the requests' answers any more.
ContainerAgent::~ContainerAgent()
{
    for (auto& [id, p] : pending_) wl_event_source_remove(p.timer);
    if (source_) wl_event_source_remove(source_);
    if (fd_ >= 0) close(fd_);
}

bool ContainerAgent::request(json req, Done done, int timeout_ms)
{
    if (!alive()) return false;
    std::uint64_t id = next_id_++;
    req["id"] = id;
    std::string line = req.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    // A request is small; an agent that does not read it is broken.
    if (line.size() > max_agent_line ||
        send(fd_, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
        end("it does not read its requests");
        return false;
    }
    Pending& p = pending_[id] = {this, id, std::move(done), nullptr};
    p.timer = wl_event_loop_add_timer(loop_, &ContainerAgent::on_timeout, &p);
    wl_event_source_timer_update(p.timer, timeout_ms);
    return true;
}

int ContainerAgent::on_timeout(void* data)
{
    auto* p = static_cast<Pending*>(data);
    p->agent->end("it did not answer in time");
    return 0;
}

int ContainerAgent::on_readable(int fd, uint32_t, void* data)
{
    auto* self = static_cast<ContainerAgent*>(data);
    char chunk[16384];
    for (size_t total = 0; total < max_read_per_wakeup;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 0;
        if (n <= 0) {
            self->end("it exited");
            return 0;
        }
        total += static_cast<size_t>(n);
        self->buffer_.append(chunk, static_cast<size_t>(n));
        for (size_t nl; self->alive() && (nl = self->buffer_.find('\n')) != std::string::npos;) {
            std::string line = self->buffer_.substr(0, nl);
            self->buffer_.erase(0, nl + 1);
            self->take(line);
        }
        if (!self->alive()) return 0;
        if (self->buffer_.size() > max_agent_line) {
            self->end("it sent a line longer than " + std::to_string(max_agent_line) + " bytes");
            return 0;
        }
    }
    return 0;
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
    wl_event_source_remove(p.timer);
    p.done(&*msg, {});
}

void ContainerAgent::end(const std::string& why)
{
    if (!alive()) return;
    if (source_) wl_event_source_remove(source_);
    source_ = nullptr;
    close(fd_);  // a well-behaved agent leaves on this EOF
    fd_ = -1;
    buffer_.clear();
    wlr_log(WLR_ERROR, "container %s: agent ended: %s", name_.c_str(), printable(why, 300).c_str());
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, p] : pending) wl_event_source_remove(p.timer);
    Hooks hooks = hooks_;
    for (auto& [id, p] : pending) p.done(nullptr, "the agent of container '" + name_ + "' ended: " + why);
    if (hooks.gone) hooks.gone(why);
}

}  // namespace ctop
