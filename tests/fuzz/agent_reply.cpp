// Fuzzes the lines a container's agent sends the session (the agent runs
// inside the container, as its user): parse_agent_message must accept or
// refuse any line, and what it accepts is in range, printable and bounded.
#include "agent_protocol.hpp"
#include "notifications.hpp"

#include <cstdint>
#include <string_view>

namespace {

void check_text(const std::string& text, size_t max, bool may_be_empty)
{
    if (text.size() > max || (!may_be_empty && text.empty())) __builtin_trap();
    for (unsigned char c : text)
        if (c < 0x20 || c == 0x7f) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string_view line(reinterpret_cast<const char*>(data), size);
    std::string problem;
    auto msg = ctop::parse_agent_message(line, &problem);
    if (!msg) {
        if (problem.empty()) __builtin_trap();  // a refusal always says why
        return 0;
    }
    using Kind = ctop::AgentMessage::Kind;
    bool has_pid = msg->kind == Kind::exited || msg->kind == Kind::started;  // a notification has none
    if (has_pid && (msg->pid < 1 || msg->pid > 4194304)) __builtin_trap();
    if (msg->kind == Kind::notify) {
        const ctop::ContainerNotification& n = msg->notification;
        check_text(n.app, ctop::shown_notify_app, true);
        check_text(n.summary, ctop::shown_notify_summary, true);
        for (const auto& a : n.actions) check_text(a.label, ctop::shown_action_label, true);
        if (n.actions.size() > ctop::max_notify_actions) __builtin_trap();
    }
    if (msg->kind == Kind::exited && (msg->status < 0 || msg->status > 0xffff)) __builtin_trap();
    if (msg->kind == Kind::reply) {
        if (msg->id < 1 || msg->id > (std::uint64_t{1} << 53)) __builtin_trap();
        if (msg->pid < 0 || msg->pid > 4194304) __builtin_trap();
        if (!msg->ok) check_text(msg->error, ctop::max_agent_error, false);
        if (msg->apps) {
            if (msg->apps->size() > ctop::max_agent_apps) __builtin_trap();
            for (const auto& app : *msg->apps) {
                check_text(app.id, ctop::max_app_id, false);
                check_text(app.name, ctop::max_app_name, false);
                check_text(app.exec, ctop::max_app_exec, false);
                check_text(app.icon, ctop::max_app_icon, true);
            }
        }
    }
    // What the agent really writes must be understood.
    if (line == ctop::agent_spawned_line(7, 42) && (msg->id != 7 || msg->pid != 42 || !msg->ok)) __builtin_trap();
    return 0;
}
