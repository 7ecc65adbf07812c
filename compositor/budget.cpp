// Per-client budgets, counted at the protocol boundary: a protocol logger sees
// every request before it is dispatched (sizes of buffers), the
// resource-created signal sees every new object (counted in batches).
// shm is charged per buffer (stride x height), not per pool: clients such as
// foot reserve pools of a GiB and touch only what their buffers use.
#include "budget.hpp"

#include "client_policy.hpp"
#include "wlr.hpp"

#include <algorithm>
#include <string_view>

namespace ctop {

struct ClientBudgets::Client {
    // A listener that knows its Client (wl_container_of needs standard layout).
    struct Hook {
        wl_listener listener;
        Client* client;
    };
    ClientBudgets* owner;
    wl_client* client;
    Hook resource_created{{}, this};
    Hook destroy{{}, this};
    size_t created_since_count = 0;
    // As of the last count.
    uint64_t objects = 0, surfaces = 0, toplevels = 0, buffers = 0;
    uint64_t shm_bytes = 0;      // of its live shm buffers
    uint64_t pending_bytes = 0;  // a create_buffer passed the check; its wl_buffer is next
    bool over = false;           // disconnected; log once
};

// The bytes of one shm buffer, charged to its client while the wl_buffer lives.
struct ClientBudgets::Charge {
    wl_listener destroy;  // first: the listener is the Charge
    std::shared_ptr<Client> client;
    uint64_t bytes;

    static void on_destroy(wl_listener* listener, void*)
    {
        auto* charge = reinterpret_cast<Charge*>(listener);
        charge->client->shm_bytes -= charge->bytes;
        delete charge;
    }
};

namespace {

struct Counts {
    uint64_t objects = 0, surfaces = 0, toplevels = 0, buffers = 0;
};

wl_iterator_result count_resource(wl_resource* resource, void* data)
{
    auto* n = static_cast<Counts*>(data);
    std::string_view iface = wl_resource_get_class(resource);
    ++n->objects;
    if (iface == "wl_surface") ++n->surfaces;
    else if (iface == "xdg_toplevel") ++n->toplevels;
    else if (iface == "wl_buffer") ++n->buffers;
    return WL_ITERATOR_CONTINUE;
}

}  // namespace

ClientBudgets::ClientBudgets(wl_display* display, const ClientPolicy& policy, BudgetLimits limits)
    : policy_(policy), limits_(limits)
{
    client_created_.listener.notify = [](wl_listener* l, void* data) {
        reinterpret_cast<ClientCreated*>(l)->self->on_client_created(static_cast<wl_client*>(data));
    };
    client_created_.self = this;
    wl_display_add_client_created_listener(display, &client_created_.listener);
    logger_ = wl_display_add_protocol_logger(display, &ClientBudgets::on_message, this);
}

void ClientBudgets::on_client_created(wl_client* wl)
{
    auto client = std::make_shared<Client>();
    client->owner = this;
    client->client = wl;
    client->resource_created.listener.notify = [](wl_listener* l, void* data) {
        Client* c = reinterpret_cast<Client::Hook*>(l)->client;
        c->owner->on_resource_created(*c, static_cast<wl_resource*>(data));
    };
    client->destroy.listener.notify = [](wl_listener* l, void*) {
        Client* c = reinterpret_cast<Client::Hook*>(l)->client;
        c->owner->on_client_destroyed(*c);
    };
    wl_client_add_resource_created_listener(wl, &client->resource_created.listener);
    wl_client_add_destroy_listener(wl, &client->destroy.listener);
    clients_[wl] = std::move(client);
}

void ClientBudgets::on_client_destroyed(Client& client)
{
    wl_list_remove(&client.resource_created.listener.link);
    wl_list_remove(&client.destroy.listener.link);
    clients_.erase(client.client);  // its buffers' charges keep `client` alive; nothing of it is used after
}

ClientBudgets::~ClientBudgets()
{
    wl_protocol_logger_destroy(logger_);
    wl_list_remove(&client_created_.listener.link);
    for (auto& [wl, client] : clients_) {
        wl_list_remove(&client->resource_created.listener.link);
        wl_list_remove(&client->destroy.listener.link);
    }
}

ClientBudgets::Client* ClientBudgets::find(wl_client* client)
{
    auto it = clients_.find(client);
    return it == clients_.end() ? nullptr : it->second.get();
}

void ClientBudgets::on_message(void* data, wl_protocol_logger_type direction, const wl_protocol_logger_message* message)
{
    if (direction != WL_PROTOCOL_LOGGER_REQUEST) return;
    auto* self = static_cast<ClientBudgets*>(data);
    if (Client* client = self->find(wl_resource_get_client(message->resource))) self->check_request(*client, *message);
}

// Runs before libwayland or wlroots handle the request; an error posted here
// disconnects the client right after it (the request itself still runs: a
// buffer libwayland creates and frees with the client, never drawn).
void ClientBudgets::check_request(Client& client, const wl_protocol_logger_message& m)
{
    client.pending_bytes = 0;
    if (client.over) return;
    std::string_view iface = wl_resource_get_class(m.resource), name = m.message->name;
    const wl_argument* a = m.arguments;
    auto side_fits = [&](int32_t width, int32_t height) {
        int32_t side = std::max(width, height);
        if (side <= limits_.buffer_side) return true;
        exceed(client, "buffer side (px)", side, limits_.buffer_side);
        return false;
    };
    if (iface == "wl_shm_pool" && name == "create_buffer" && m.arguments_count >= 5) {
        // (id, offset, width, height, stride, format); libwayland checks the
        // numbers against the pool after us.
        int64_t bytes = int64_t{a[4].i} * a[3].i;
        if (side_fits(a[2].i, a[3].i) && bytes > 0 && grow_shm(client, bytes)) client.pending_bytes = bytes;
    } else if (iface == "zwp_linux_buffer_params_v1" && name == "create" && m.arguments_count >= 2) {
        side_fits(a[0].i, a[1].i);
    } else if (iface == "zwp_linux_buffer_params_v1" && name == "create_immed" && m.arguments_count >= 3) {
        side_fits(a[1].i, a[2].i);
    }
}

// True when `bytes` more of shm fit the client's and its container's budgets.
bool ClientBudgets::grow_shm(Client& client, uint64_t bytes)
{
    if (client.shm_bytes + bytes > limits_.shm_bytes) {
        exceed(client, "shm buffer bytes", client.shm_bytes + bytes, limits_.shm_bytes);
        return false;
    }
    return check_container(client, bytes);
}

void ClientBudgets::on_resource_created(Client& client, wl_resource* resource)
{
    if (client.pending_bytes > 0 && std::string_view(wl_resource_get_class(resource)) == "wl_buffer") {
        auto* charge = new Charge{{}, clients_.at(client.client), client.pending_bytes};
        charge->destroy.notify = &Charge::on_destroy;
        wl_resource_add_destroy_listener(resource, &charge->destroy);
        client.shm_bytes += client.pending_bytes;
        client.pending_bytes = 0;
    }
    if (++client.created_since_count >= limits_.recount_every) recount(client);
}

// Counting walks the client's objects, so it runs once per batch of new ones.
void ClientBudgets::recount(Client& client)
{
    client.created_since_count = 0;
    if (client.over) return;
    Counts n;
    wl_client_for_each_resource(client.client, &count_resource, &n);
    client.objects = n.objects;
    client.surfaces = n.surfaces;
    client.toplevels = n.toplevels;
    client.buffers = n.buffers;
    if (n.objects > limits_.objects) return exceed(client, "objects", n.objects, limits_.objects);
    if (n.surfaces > limits_.surfaces) return exceed(client, "surfaces", n.surfaces, limits_.surfaces);
    if (n.toplevels > limits_.toplevels) return exceed(client, "toplevels", n.toplevels, limits_.toplevels);
    if (n.buffers > limits_.buffers) return exceed(client, "buffers", n.buffers, limits_.buffers);
    check_container(client);
}

uint64_t ClientBudgets::container_total(const std::string& container, uint64_t Client::*field) const
{
    uint64_t total = 0;
    for (const auto& [wl, c] : clients_)
        if (policy_.container_of(wl) == container) total += (*c).*field;
    return total;
}

// The client whose growth takes its container over a budget is the one cut off.
bool ClientBudgets::check_container(Client& client, uint64_t more_shm_bytes)
{
    const std::string& container = policy_.container_of(client.client);
    if (is_host(container)) return true;
    uint64_t objects = container_total(container, &Client::objects);
    if (objects > limits_.container_objects) {
        exceed(client, "objects of its container", objects, limits_.container_objects);
        return false;
    }
    uint64_t shm = container_total(container, &Client::shm_bytes) + more_shm_bytes;
    if (shm > limits_.container_shm_bytes) {
        exceed(client, "shm buffer bytes of its container", shm, limits_.container_shm_bytes);
        return false;
    }
    return true;
}

void ClientBudgets::exceed(Client& client, const char* budget, uint64_t value, uint64_t limit)
{
    if (client.over) return;
    client.over = true;
    const std::string& container = policy_.container_of(client.client);
    pid_t pid = 0;
    wl_client_get_credentials(client.client, &pid, nullptr, nullptr);
    wlr_log(WLR_ERROR, "container %s: disconnected a Wayland client (pid %d) over its budget: %s %llu > %llu",
            container.c_str(), static_cast<int>(pid), budget, static_cast<unsigned long long>(value),
            static_cast<unsigned long long>(limit));
    wl_client_post_no_memory(client.client);
}

}  // namespace ctop
