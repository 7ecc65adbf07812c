// The session's JSON replies to the control socket, rendered in one place
// from the compositor's state (the field names are the protocol: the CLI and
// the tests read them).
#include "control_replies.hpp"

#include "clipboard.hpp"
#include "container_session.hpp"
#include "idle.hpp"
#include "layer_shell.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "view.hpp"
#include "xwayland.hpp"

namespace ctop {
using nlohmann::json;

json status_reply(Server& server, const LiveContainerOf& live_of)
{
    json workspaces = json::array();
    for (const auto& ws : server.workspaces()) {
        int count = 0;
        for (View* v : server.seat().focus_stack())
            if (&v->workspace() == ws.get()) ++count;
        json entry = {{"slot", server.slot_of(*ws)},
                      {"name", ws->name()},
                      {"color", ws->color().hex()},
                      {"views", count},
                      {"current", ws.get() == &server.current_workspace()},
                      {"attention", ws->wants_attention()}};
        const ContainerSession* live = live_of(ws->name());
        if (const ContainerAgent* a = live ? live->agent() : nullptr)
            entry["agent"] = {{"running", a->alive()}, {"pid", a->pid()}, {"starts", live->agent_starts()}};
        if (const ContainerXServer* x = live ? live->x_server() : nullptr)
            entry["x11"] = {{"running", x->running()}, {"pid", x->pid()}, {"starts", x->starts()}};
        workspaces.push_back(entry);
    }
    View* focused = server.seat().focused_view();
    wlr_box usable = server.usable_area();
    return {{"ok", true},
            {"wayland_display", server.socket_name()},
            {"backend", server.backend_name()},
            {"frames", server.frames()},
            {"test_input", server.has_test_input()},
            {"idle_inhibited", server.idle().inhibited()},
            {"pointer", {{"x", server.seat().cursor()->x}, {"y", server.seat().cursor()->y}}},
            {"current_workspace", server.current_workspace().name()},
            {"focused", focused ? json{{"container", focused->container()}, {"title", focused->title()}} : json()},
            {"usable_area", {{"x", usable.x}, {"y", usable.y}, {"width", usable.width}, {"height", usable.height}}},
            {"layer_surfaces", server.layer_shell().count()},
            {"keyboard_on_layer_surface", server.seat().layer_has_keyboard()},
            {"workspaces", workspaces}};
}

json clipboard_reply(Server& server)
{
    json out = {{"ok", true}, {"buffer", nullptr}, {"selections", json::object()}};
    if (auto b = server.clipboard().buffer_info())
        out["buffer"] = {{"from", b->from}, {"mime", b->mime}, {"bytes", b->bytes}};
    for (const auto& [container, mimes] : server.clipboard().selections()) out["selections"][container] = mimes;
    return out;
}

json views_reply(Server& server)
{
    json list = json::array();
    for (View* v : server.seat().focus_stack()) {
        wlr_box box = v->content_box();
        list.push_back({{"container", v->container()},
                        {"workspace", v->workspace().name()},
                        {"title", v->title()},
                        {"app_id", v->app_id()},
                        {"kind", v->kind()},
                        {"commits", v->commits()},
                        {"x", box.x},
                        {"y", box.y},
                        {"width", box.width},
                        {"height", box.height},
                        {"focused", v == server.seat().focused_view()}});
    }
    return {{"ok", true}, {"views", list}};
}

}  // namespace ctop
