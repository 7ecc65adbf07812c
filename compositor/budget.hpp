// ClientBudgets: what one Wayland client may make the compositor hold. A
// client that goes over a budget is disconnected with a protocol error
// (no_memory) and a log line naming its container; the session's memory then
// stays bounded whatever a container sends (docs/design.md has the sums).
#pragma once

#include <wayland-server-core.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace ctop {

class ClientPolicy;

struct BudgetLimits {
    // Generous for real apps: Firefox, Chromium and GTK 4 use tens of surfaces
    // and a few hundred objects; Xwayland with 3,000 X windows a few per window.
    size_t objects = 32768;  // protocol objects of any kind
    size_t surfaces = 8192;
    size_t toplevels = 1024;
    size_t buffers = 16384;
    // Bytes of the client's live shm buffers (stride x height): what the
    // compositor may read, and so fault in, of the client's memory.
    uint64_t shm_bytes = 512ull << 20;
    int32_t buffer_side = 8192;  // width and height of any buffer, shm or dmabuf
    // All clients of one container together (host clients are not summed).
    size_t container_objects = 65536;
    uint64_t container_shm_bytes = 1ull << 30;
    // Objects created between two counts of a client's objects: the counted
    // budgets (objects, surfaces, toplevels, buffers) may be overshot by this.
    size_t recount_every = 256;
};

class ClientBudgets {
public:
    ClientBudgets(wl_display* display, const ClientPolicy& policy, BudgetLimits limits = {});
    ~ClientBudgets();
    ClientBudgets(const ClientBudgets&) = delete;
    ClientBudgets& operator=(const ClientBudgets&) = delete;

    const BudgetLimits& limits() const { return limits_; }

private:
    struct Client;
    struct Charge;
    static void on_message(void* data, wl_protocol_logger_type direction, const wl_protocol_logger_message* message);
    void check_request(Client& client, const wl_protocol_logger_message& message);
    void on_client_created(wl_client* client);
    void on_client_destroyed(Client& client);
    void on_resource_created(Client& client, wl_resource* resource);
    void recount(Client& client);
    void exceed(Client& client, const char* budget, uint64_t value, uint64_t limit);
    // Sums over the clients of `client`'s container; false (and disconnected) when over.
    bool check_container(Client& client, uint64_t more_shm_bytes = 0);
    bool grow_shm(Client& client, uint64_t bytes);
    uint64_t container_total(const std::string& container, uint64_t Client::*field) const;
    Client* find(wl_client* client);

    const ClientPolicy& policy_;
    BudgetLimits limits_;
    struct ClientCreated {
        wl_listener listener;
        ClientBudgets* self;
    } client_created_{};
    wl_protocol_logger* logger_ = nullptr;
    std::unordered_map<wl_client*, std::shared_ptr<Client>> clients_;
};

}  // namespace ctop
