// Autostart: config.toml's `autostart` entries, spawned once the session's
// event loop runs. Each container's entries start one after the other (the
// first starts the container, the rest find it running); containers start side
// by side. Nothing here waits: each spawn answers through its reply, as a
// `ctopbroker spawn` would, and a failed entry is reported (log and on screen,
// naming config.toml and the entry) while the others go on.
#pragma once

#include "control_server.hpp"
#include "event_source.hpp"
#include "session_config.hpp"

#include <wayland-server-core.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ctop {

class Autostart {
public:
    // spawn: the session's handler for one control request; report: how a
    // failed entry is told to the user.
    using Spawn = std::function<void(const nlohmann::json& request, ControlServer::Reply reply)>;
    using Report = std::function<void(const std::string& message)>;
    Autostart(wl_event_loop* loop, const SessionConfig& config, Spawn spawn, Report report);
    Autostart(const Autostart&) = delete;
    Autostart& operator=(const Autostart&) = delete;

    // The spawn request an entry makes.
    static nlohmann::json request(const AutostartEntry& entry);

private:
    struct Queues {
        std::map<std::string, std::deque<AutostartEntry>> by_container;
        std::filesystem::path file;
        Spawn spawn;
        Report report;
    };
    static void start_next(const std::shared_ptr<Queues>& queues, const std::string& container);

    // Replies hold it weakly: one that comes after the session went starts nothing.
    std::shared_ptr<Queues> queues_;
    IdleCall start_;
};

}  // namespace ctop
