// ClientPolicy: which client belongs to which container, and which globals a
// container client may see. Host clients (on the session's public socket) see
// every global; container clients see only an allow-list. Every global the
// compositor creates must be classified (river's rule): a global that is in
// neither list is hidden from containers and reported, never silently shown.
#pragma once

#include "identity.hpp"

#include <wayland-server-core.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace ctop {

enum class GlobalClass { ContainerSafe, Privileged, Unknown };

// Pure classification by interface name.
GlobalClass classify_global(std::string_view interface);

class ClientPolicy {
public:
    explicit ClientPolicy(wl_display* display);
    ~ClientPolicy();
    ClientPolicy(const ClientPolicy&) = delete;
    ClientPolicy& operator=(const ClientPolicy&) = delete;

    // At most this many Wayland clients per container: each costs the
    // compositor its own budget (compositor/budget.hpp).
    static constexpr size_t max_clients_per_container = 32;

    // Marks a client as belonging to a container; forgotten when it disconnects.
    // False when the container already had its maximum of clients: the caller
    // then destroys the client (a refusal is logged once per crowd).
    bool tag(wl_client* client, std::string container);
    size_t clients_of(const std::string& container) const;
    // host_identity for host clients (untagged).
    const std::string& container_of(const wl_client* client) const;
    bool is_container_client(const wl_client* client) const { return !is_host(container_of(client)); }

    // Extra (non-privileged) interfaces one container may bind, from its policy.
    void set_extra_globals(const std::string& container, std::set<std::string> interfaces);
    void forget_extra_globals(const std::string& container) { extra_.erase(container); }

    bool may_bind(const wl_client* client, std::string_view interface) const;
    // The user's seat. Every other wl_seat is the compositor's own plumbing
    // (each container Xwayland's private selection seat) and no client sees it,
    // not even when it is announced (the filter runs before it exists).
    void set_user_seat(const wl_global* global) { user_seat_ = global; }

private:
    struct Tag;
    static bool filter(const wl_client* client, const wl_global* global, void* data);

    std::map<const wl_client*, std::unique_ptr<Tag>> tags_;
    std::map<std::string, std::set<std::string>> extra_;
    const wl_global* user_seat_ = nullptr;
    mutable std::set<std::string> reported_unknown_;
    std::set<std::string> refusal_logged_;  // containers whose crowd of clients was reported
};

}  // namespace ctop
