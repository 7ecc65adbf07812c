// The global filter that keeps privileged protocols away from containers.
#include "client_policy.hpp"

#include "wlr.hpp"

#include <array>

namespace ctop {
namespace {

// What an ordinary, unprivileged app needs to show windows and take input.
constexpr std::array container_safe = {
    "wl_compositor",
    "wl_subcompositor",
    "wl_shm",
    "wl_seat",
    "wl_output",
    "wl_data_device_manager",
    "xdg_wm_base",
    "zxdg_output_manager_v1",
    "wp_viewporter",
    "wp_presentation",
    "zxdg_decoration_manager_v1",
    "org_kde_kwin_server_decoration_manager",
    "zwp_primary_selection_device_manager_v1",
    "gtk_primary_selection_device_manager",
    "zwp_linux_dmabuf_v1",
    "wl_drm",
    "zwp_pointer_constraints_v1",
    "zwp_relative_pointer_manager_v1",
    "zwp_idle_inhibit_manager_v1",
    "xdg_activation_v1",
    "zwp_text_input_manager_v3",
    "wp_single_pixel_buffer_manager_v1",
    "wp_fractional_scale_manager_v1",
    "zwp_pointer_gestures_v1",
    "zxdg_exporter_v2",
    "zxdg_importer_v2",
};

// Globals that read or forge what other clients see or type, or control the
// session. Never offered to a container, whatever its policy says.
constexpr std::array privileged = {
    "zwlr_screencopy_manager_v1",
    "zwlr_export_dmabuf_manager_v1",
    "zwlr_data_control_manager_v1",
    "zwp_virtual_keyboard_manager_v1",
    "zwlr_virtual_pointer_manager_v1",
    "zwp_input_method_manager_v2",
    "zwlr_layer_shell_v1",
    "zwlr_output_manager_v1",
    "zwlr_output_power_manager_v1",
    "zwlr_gamma_control_manager_v1",
    "zwlr_foreign_toplevel_manager_v1",
    "ext_session_lock_manager_v1",
    "zwlr_input_inhibit_manager_v1",
    "zwp_keyboard_shortcuts_inhibit_manager_v1",
    "wp_drm_lease_device_v1",
    "zwp_fullscreen_shell_v1",
    "ext_idle_notifier_v1",
    "org_kde_kwin_idle",
    "wp_security_context_manager_v1",
    "zwp_tablet_manager_v2",
};

template <size_t N> bool contains(const std::array<const char*, N>& list, std::string_view name)
{
    for (const char* entry : list)
        if (name == entry) return true;
    return false;
}

}  // namespace

GlobalClass classify_global(std::string_view interface)
{
    if (contains(container_safe, interface)) return GlobalClass::ContainerSafe;
    if (contains(privileged, interface)) return GlobalClass::Privileged;
    return GlobalClass::Unknown;
}

struct ClientPolicy::Tag {
    ClientPolicy* policy;
    const wl_client* client;
    std::string container;
    wl_listener destroy;
};

ClientPolicy::ClientPolicy(wl_display* display)
{
    wl_display_set_global_filter(display, &ClientPolicy::filter, this);
}

ClientPolicy::~ClientPolicy()
{
    for (auto& [client, tag] : tags_) wl_list_remove(&tag->destroy.link);
}

bool ClientPolicy::tag(wl_client* client, std::string container)
{
    bool admitted = is_host(container) || clients_of(container) < max_clients_per_container;
    if (!admitted && refusal_logged_.insert(container).second)
        wlr_log(WLR_ERROR, "container %s: refusing Wayland clients: it already has %zu", container.c_str(),
                max_clients_per_container);
    auto tag = std::make_unique<Tag>(Tag{this, client, std::move(container), {}});
    tag->destroy.notify = [](wl_listener* l, void*) {
        Tag* t = wl_container_of(l, t, destroy);
        wl_list_remove(&t->destroy.link);
        t->policy->refusal_logged_.erase(t->container);
        t->policy->tags_.erase(t->client);  // destroys t
    };
    wl_client_add_destroy_listener(client, &tag->destroy);
    tags_[client] = std::move(tag);
    return admitted;
}

size_t ClientPolicy::clients_of(const std::string& container) const
{
    size_t n = 0;
    for (const auto& [client, tag] : tags_) n += tag->container == container ? 1 : 0;
    return n;
}

const std::string& ClientPolicy::container_of(const wl_client* client) const
{
    auto it = tags_.find(client);
    return it == tags_.end() ? host_identity : it->second->container;
}

void ClientPolicy::set_extra_globals(const std::string& container, std::set<std::string> interfaces)
{
    extra_[container] = std::move(interfaces);
}

bool ClientPolicy::may_bind(const wl_client* client, std::string_view interface) const
{
    const std::string& container = container_of(client);
    if (is_host(container)) return true;
    switch (classify_global(interface)) {
    case GlobalClass::ContainerSafe:
        return true;
    case GlobalClass::Privileged:
        return false;
    case GlobalClass::Unknown:
        break;
    }
    auto it = extra_.find(container);
    if (it != extra_.end() && it->second.count(std::string(interface))) return true;
    if (reported_unknown_.insert(std::string(interface)).second)
        wlr_log(WLR_INFO, "global %.*s is not classified: hidden from containers", static_cast<int>(interface.size()),
                interface.data());
    return false;
}

bool ClientPolicy::filter(const wl_client* client, const wl_global* global, void* data)
{
    auto* self = static_cast<ClientPolicy*>(data);
    const char* interface = wl_global_get_interface(global)->name;
    if (self->user_seat_ && global != self->user_seat_ && std::string_view(interface) == "wl_seat") return false;
    return self->may_bind(client, interface);
}

}  // namespace ctop
