// One live container's share of the session, and its release.
#include "container_session.hpp"

#include "paths.hpp"
#include "policy.hpp"
#include "server.hpp"
#include "xwayland.hpp"
#include "xwayland_launch_info.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ctop {

namespace {

ContainerRules rules_of(const ContainerPolicy& policy)
{
    ContainerRules rules;
    if (!policy.color.empty()) rules.color = Color::from_hex(policy.color);
    rules.extra_globals = policy.extra_globals;
    rules.fullscreen = policy.fullscreen;
    rules.clipboard = {policy.clipboard_import, policy.clipboard_export, policy.clipboard_max_bytes,
                       policy.clipboard_mime};
    return rules;
}

}  // namespace

ContainerSession::ContainerSession(Server& server, AudioRouter& audio, std::string name,
                                   std::function<void()> on_client)
    : server_(server), audio_(audio), name_(std::move(name))
{
    socket_ = std::make_unique<ContainerSocket>(server_.display(), server_.policy(), name_,
                                                paths::container_runtime_dir(name_));
    socket_->on_client = std::move(on_client);
    server_.admit(name_, {});
}

ContainerSession::~ContainerSession()
{
    agent_.reset();
    audio_.detach(name_);
    x_.reset();
    socket_.reset();
    server_.release(name_);
}

void ContainerSession::apply(const ContainerPolicy& policy, const std::string& lxcpath)
{
    server_.admit(name_, rules_of(policy));
    if (policy.x11 && !x_) {
        // Read by the launcher (broker/helpers/xwayland_launcher.cpp).
        auto launch_info = [name = name_, lxcpath](int x_fd) {
            return render_xwayland_launch_info({name, lxcpath, x_fd});
        };
        x_ = std::make_unique<ContainerXServer>(server_, name_, socket_->dir(), launch_info);
    }
}

void ContainerSession::attach_audio(const std::filesystem::path& socket, pid_t init, const AudioSettings& settings)
{
    audio_.attach(name_, socket, init, settings);
}

std::vector<int> ContainerSession::new_audio_sockets()
{
    for (auto& w : audio_watch_) w.remove();
    audio_retry_.disarm();
    for (auto& fd : audio_sockets_) {
        // Blocking, as a daemon expects its activated socket: O_NONBLOCK
        // would belong to every holder of it.
        fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd) throw std::runtime_error("container '" + name_ + "': no audio socket: " + std::strerror(errno));
    }
    return audio_fds();
}

void ContainerSession::audio_sockets_bound(bool bound)
{
    audio_bound_ = bound;
    if (bound) return;
    for (auto& w : audio_watch_) w.remove();
    for (auto& fd : audio_sockets_) fd.reset();
}

void ContainerSession::arm_audio(std::function<void()> wanted)
{
    if (!audio_bound_) return;
    auto fire = [this, wanted](uint32_t) {
        // Until the daemons run, a waiting connection would wake the loop
        // again and again: the watch ends at the first.
        for (auto& w : audio_watch_) w.remove();
        wanted();
    };
    for (int i = 0; i < 2; ++i) audio_watch_[i].watch(server_.loop(), audio_sockets_[i].get(), WL_EVENT_READABLE, fire);
}

void ContainerSession::after_audio_pause(int ms, std::function<void()> then)
{
    audio_retry_.arm(server_.loop(), ms, std::move(then));
}

void ContainerSession::start_agent(const std::string& lxcpath, ContainerAgent::Hooks hooks)
{
    if (live_agent()) return;
    auto log = paths::broker_runtime_dir() / "logs" / (name_ + ".log");
    int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    try {
        agent_ = std::make_unique<ContainerAgent>(server_.loop(), name_, lxcpath, log_fd, std::move(hooks));
        ++agent_starts_;
    } catch (const std::exception& e) {
        wlr_log(WLR_ERROR, "container %s: no agent: %s", name_.c_str(), e.what());
        agent_.reset();
    }
    if (log_fd >= 0) close(log_fd);
}

}  // namespace ctop
