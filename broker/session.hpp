// Session: the running `ctopbroker session` process. It owns the compositor,
// the control socket and one ContainerSession per live container, and turns
// control requests into compositor and container actions.
#pragma once

#include "control_server.hpp"
#include "server.hpp"
#include "session_config.hpp"

#include <map>
#include <memory>
#include <string>

namespace ctop {

class AudioRouter;
class ContainerSocket;

class Session {
public:
    explicit Session(const ServerOptions& options);  // throws
    ~Session();
    int run();
    void apply_keybindings(const SessionConfig& config) { config.apply(server_->keybindings()); }

private:
    void handle(const nlohmann::json& request, ControlServer::Reply reply);
    nlohmann::json status() const;
    nlohmann::json views() const;
    nlohmann::json clipboard() const;
    nlohmann::json open_socket(const std::string& name);
    ContainerSocket& ensure_socket(const std::string& name);
    void spawn(const nlohmann::json& request, ControlServer::Reply reply);
    void pointer(const nlohmann::json& request, ControlServer::Reply reply);
    void stop(const std::string& name, const std::string& lxcpath, ControlServer::Reply reply);
    void reap_children();
    void audio(const nlohmann::json& request, ControlServer::Reply reply);

    std::unique_ptr<Server> server_;
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<AudioRouter> audio_;
    std::map<std::string, std::unique_ptr<ContainerSocket>> sockets_;
    // App processes we started, by container (the session is their subreaper).
    std::map<pid_t, std::string> apps_;
};

}  // namespace ctop
