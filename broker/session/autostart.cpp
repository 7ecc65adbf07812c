// Autostart (see autostart.hpp).
#include "autostart.hpp"

#include "control_protocol.hpp"

#include "wlr.hpp"

namespace ctop {

Autostart::Autostart(wl_event_loop* loop, const SessionConfig& config, Spawn spawn, Report report)
    : queues_(std::make_shared<Queues>())
{
    queues_->file = config.file;
    queues_->spawn = std::move(spawn);
    queues_->report = std::move(report);
    for (const auto& entry : config.autostart) queues_->by_container[entry.container].push_back(entry);
    if (queues_->by_container.empty()) return;
    // An idle call runs once the loop is dispatching: the display and the
    // control socket are up, so the apps (and `ctopbroker` calls) find them.
    start_.schedule(loop, [this] {
        std::vector<std::string> containers;
        for (const auto& [name, _] : queues_->by_container) containers.push_back(name);
        for (const auto& name : containers) start_next(queues_, name);
    });
}

nlohmann::json Autostart::request(const AutostartEntry& entry)
{
    return control::request(control::Spawn{entry.container, "", entry.argv, {}, entry.desktop()});
}

void Autostart::start_next(const std::shared_ptr<Queues>& queues, const std::string& container)
{
    auto& queue = queues->by_container[container];
    if (queue.empty()) return;
    AutostartEntry entry = queue.front();
    queue.pop_front();
    std::weak_ptr<Queues> weak = queues;
    auto answered = std::make_shared<bool>(false);
    queues->spawn(request(entry), [weak, container, entry, answered](const nlohmann::json& result) {
        auto queues = weak.lock();
        if (!queues || *answered) return;
        *answered = true;
        if (!result.value("ok", false))
            queues->report(queues->file.string() + ": autostart \"" + entry.text +
                           "\" failed: " + result.value("error", std::string("no reason given")));
        else wlr_log(WLR_INFO, "autostart \"%s\": started", entry.text.c_str());
        start_next(queues, container);
    });
}

}  // namespace ctop
