// ContainerSession: everything the session holds for one live container —
// its private Wayland socket, its X server, its agent, its audio route, the
// apps the session started in it, whether its supervisor holds it for us and
// its rules in the compositor. Session keeps one per container, created by
// its first spawn (or socket request); destroying it is the session's half
// of `stop`: the compositor forgets the container, its agent, sockets, X
// server and audio bridge end.
#pragma once

#include "audio_router.hpp"
#include "container_agent.hpp"
#include "container_socket.hpp"
#include "event_source.hpp"
#include "unique_fd.hpp"

#include <sys/types.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ctop {

class ContainerXServer;
class Server;
struct ContainerPolicy;

class ContainerSession {
public:
    // Opens its socket and admits it to the compositor with the default
    // rules. on_client: called after each client connects to its socket.
    ContainerSession(Server& server, AudioRouter& audio, std::string name,
                     std::function<void()> on_client);  // throws
    ~ContainerSession();
    ContainerSession(const ContainerSession&) = delete;
    ContainerSession& operator=(const ContainerSession&) = delete;

    const std::string& name() const { return name_; }
    const ContainerSocket& socket() const { return *socket_; }

    // The container's policy, read at each spawn (the user may have changed
    // it): its rules in the compositor, and its X socket when it may use X11
    // (it exists before the first app runs, so an X app can connect at once).
    void apply(const ContainerPolicy& policy, const std::string& lxcpath);
    const ContainerXServer* x_server() const { return x_.get(); }

    // Starts its audio bridge unless one runs; throws when it cannot.
    void attach_audio(const std::filesystem::path& socket, pid_t init, const AudioSettings& settings);
    bool has_audio() const { return audio_.attached(name_); }

    // Its audio starts lazily. new_audio_sockets() makes the two sockets
    // (PipeWire's and PulseAudio's) for the worker to bind in its broker
    // directory; once bound, audio_sockets_bound() and arm_audio() watches
    // them: the first connection to either calls `wanted` once, and no
    // daemon runs before. audio_fds() are the sockets, for the worker that
    // starts the daemons on them. new_audio_sockets() again replaces them
    // (the old ones close), for the worker to bind anew.
    std::vector<int> new_audio_sockets();  // throws
    void audio_sockets_bound(bool bound);
    bool audio_ready() const { return audio_bound_; }
    std::vector<int> audio_fds() const { return {audio_sockets_[0].get(), audio_sockets_[1].get()}; }
    void arm_audio(std::function<void()> wanted);
    // Runs `then` after `ms` (one pending at a time): audio retries pause.
    void after_audio_pause(int ms, std::function<void()> then);

    // Its agent, started after a spawn through the worker; warm spawns go
    // through it while it lives. Not starting one is logged: spawns still
    // work, through the worker.
    void start_agent(const std::string& lxcpath, ContainerAgent::Hooks hooks);
    ContainerAgent* live_agent() const { return agent_ && agent_->alive() ? agent_.get() : nullptr; }
    ContainerAgent* agent() const { return agent_.get(); }  // also one that ended
    int agent_starts() const { return agent_starts_; }

    // Apps the session started in it (it reaps them as their subreaper).
    void add_app(pid_t pid) { apps_.insert(pid); }
    bool forget_app(pid_t pid) { return apps_.erase(pid) > 0; }
    bool has_apps() const { return !apps_.empty(); }

    // The supervisor holds it for this session (Session tells the supervisor;
    // this only remembers that it did).
    bool supervised() const { return supervised_; }
    void set_supervised(bool supervised) { supervised_ = supervised; }

private:
    Server& server_;
    AudioRouter& audio_;
    std::string name_;
    std::unique_ptr<ContainerSocket> socket_;
    std::unique_ptr<ContainerXServer> x_;
    std::unique_ptr<ContainerAgent> agent_;
    int agent_starts_ = 0;
    UniqueFd audio_sockets_[2];
    FdWatch audio_watch_[2];
    bool audio_bound_ = false;
    Timer audio_retry_;
    std::set<pid_t> apps_;
    bool supervised_ = false;
};

}  // namespace ctop
