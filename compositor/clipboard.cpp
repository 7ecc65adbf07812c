// Per-container selections, the proxies on the seat, and the broker buffer.
#include "clipboard.hpp"

#include "seat.hpp"
#include "server.hpp"
#include "view.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ctop {
namespace {

std::vector<std::string> mime_list(const wl_array* types)
{
    std::vector<std::string> out;
    auto* begin = static_cast<char* const*>(types->data);
    for (size_t i = 0; i < types->size / sizeof(char*); ++i) out.push_back(begin[i]);
    return out;
}

void copy_mime_types(wl_array* to, const wl_array* from)
{
    for (const auto& m : mime_list(from)) {
        char** slot = static_cast<char**>(wl_array_add(to, sizeof(char*)));
        *slot = strdup(m.c_str());
    }
}

// The client that created the source behind `source`: the protocol object's
// user data is the wlroots source it wraps. Nullptr for sources no client
// made (data-control from host tools, our own).
wl_client* source_owner(wl_display* display, const void* source, const char* interface)
{
    struct Search {
        const void* source;
        const char* interface;
        bool found;
    };
    wl_list* clients = wl_display_get_client_list(display);
    wl_list* link;
    for (link = clients->next; link != clients; link = link->next) {
        wl_client* client = wl_client_from_link(link);
        Search search{source, interface, false};
        wl_client_for_each_resource(
            client,
            [](wl_resource* r, void* data) {
                auto* s = static_cast<Search*>(data);
                if (std::strcmp(wl_resource_get_class(r), s->interface) == 0 && wl_resource_get_user_data(r) == s->source) {
                    s->found = true;
                    return WL_ITERATOR_STOP;
                }
                return WL_ITERATOR_CONTINUE;
            },
            &search);
        if (search.found) return client;
    }
    return nullptr;
}

// Writes a shared buffer into a pipe from the event loop, never blocking it.
class Writer {
public:
    static void start(wl_event_loop* loop, int fd, std::shared_ptr<const std::string> data)
    {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        auto* w = new Writer{fd, std::move(data)};
        w->source_ = wl_event_loop_add_fd(loop, fd, WL_EVENT_WRITABLE, &Writer::on_writable, w);
    }

private:
    Writer(int fd, std::shared_ptr<const std::string> data) : fd_(fd), data_(std::move(data)) {}
    static int on_writable(int fd, uint32_t mask, void* p)
    {
        auto* w = static_cast<Writer*>(p);
        while (w->offset_ < w->data_->size()) {
            ssize_t n = write(fd, w->data_->data() + w->offset_, w->data_->size() - w->offset_);
            if (n > 0) {
                w->offset_ += static_cast<size_t>(n);
                continue;
            }
            if (n < 0 && errno == EAGAIN && !(mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR))) return 0;
            break;  // the reader went away
        }
        wl_event_source_remove(w->source_);
        close(fd);
        delete w;
        return 0;
    }
    int fd_;
    std::shared_ptr<const std::string> data_;
    size_t offset_ = 0;
    wl_event_source* source_ = nullptr;
};

}  // namespace

// One container's selection and primary selection (the real, client-made sources).
class ClipboardBroker::Entry {
public:
    ~Entry()
    {
        set_selection(nullptr);
        set_primary(nullptr);
    }
    wlr_data_source* selection = nullptr;
    wlr_primary_selection_source* primary = nullptr;
    std::function<void()> changed;

    void set_selection(wlr_data_source* source)
    {
        if (source == selection) return;
        wlr_data_source* old = selection;
        selection_destroy_.disconnect();
        selection = source;
        if (source) selection_destroy_.connect(&source->events.destroy, [this](void*) {
            selection_destroy_.disconnect();
            selection = nullptr;
            if (changed) changed();
        });
        if (old) wlr_data_source_destroy(old);  // its client learns it lost the clipboard
    }
    void set_primary(wlr_primary_selection_source* source)
    {
        if (source == primary) return;
        wlr_primary_selection_source* old = primary;
        primary_destroy_.disconnect();
        primary = source;
        if (source) primary_destroy_.connect(&source->events.destroy, [this](void*) {
            primary_destroy_.disconnect();
            primary = nullptr;
            if (changed) changed();
        });
        if (old) wlr_primary_selection_source_destroy(old);
    }

private:
    Listener selection_destroy_, primary_destroy_;
};

// What the seat holds: forwards reads to the focused container's real source.
class ClipboardBroker::Proxy {
public:
    static wlr_data_source* create(ClipboardBroker& broker, const std::string& container, wlr_data_source* real)
    {
        auto* p = new Proxy{};
        p->broker = &broker;
        p->container = container;
        wlr_data_source_init(&p->base, &impl);
        copy_mime_types(&p->base.mime_types, &real->mime_types);
        return &p->base;
    }

private:
    wlr_data_source base;  // first member: wlroots hands us &base
    ClipboardBroker* broker;
    std::string container;

    static void send(wlr_data_source* s, const char* mime, int32_t fd)
    {
        auto* p = reinterpret_cast<Proxy*>(s);
        auto it = p->broker->entries_.find(p->container);
        if (it != p->broker->entries_.end() && it->second->selection)
            wlr_data_source_send(it->second->selection, mime, fd);
        else
            close(fd);
    }
    static void destroy(wlr_data_source* s) { delete reinterpret_cast<Proxy*>(s); }
    static constexpr wlr_data_source_impl impl = {
        .send = send, .accept = nullptr, .destroy = destroy, .dnd_drop = nullptr, .dnd_finish = nullptr, .dnd_action = nullptr};
};

class ClipboardBroker::PrimaryProxy {
public:
    static wlr_primary_selection_source* create(ClipboardBroker& broker, const std::string& container,
                                                wlr_primary_selection_source* real)
    {
        auto* p = new PrimaryProxy{};
        p->broker = &broker;
        p->container = container;
        wlr_primary_selection_source_init(&p->base, &impl);
        copy_mime_types(&p->base.mime_types, &real->mime_types);
        return &p->base;
    }

private:
    wlr_primary_selection_source base;
    ClipboardBroker* broker;
    std::string container;

    static void send(wlr_primary_selection_source* s, const char* mime, int fd)
    {
        auto* p = reinterpret_cast<PrimaryProxy*>(s);
        auto it = p->broker->entries_.find(p->container);
        if (it != p->broker->entries_.end() && it->second->primary)
            wlr_primary_selection_source_send(it->second->primary, mime, fd);
        else
            close(fd);
    }
    static void destroy(wlr_primary_selection_source* s) { delete reinterpret_cast<PrimaryProxy*>(s); }
    static constexpr wlr_primary_selection_source_impl impl = {.send = send, .destroy = destroy};
};

// The broker's buffer, offered to one container after an explicit import.
class ClipboardBroker::BufferSource {
public:
    static wlr_data_source* create(wl_event_loop* loop, const std::string& mime, std::string data)
    {
        auto* b = new BufferSource{};
        b->loop = loop;
        b->data = std::make_shared<const std::string>(std::move(data));
        wlr_data_source_init(&b->base, &impl);
        char** slot = static_cast<char**>(wl_array_add(&b->base.mime_types, sizeof(char*)));
        *slot = strdup(mime.c_str());
        // Text is offered under its usual aliases too, so any toolkit finds it.
        if (mime.rfind("text/plain", 0) == 0 || mime == "UTF8_STRING" || mime == "STRING" || mime == "TEXT")
            for (const char* alias : {"text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "STRING", "TEXT"})
                if (mime != alias) {
                    slot = static_cast<char**>(wl_array_add(&b->base.mime_types, sizeof(char*)));
                    *slot = strdup(alias);
                }
        return &b->base;
    }

private:
    wlr_data_source base;
    wl_event_loop* loop;
    std::shared_ptr<const std::string> data;

    static void send(wlr_data_source* s, const char*, int32_t fd)
    {
        auto* b = reinterpret_cast<BufferSource*>(s);
        Writer::start(b->loop, fd, b->data);
    }
    static void destroy(wlr_data_source* s) { delete reinterpret_cast<BufferSource*>(s); }
    static constexpr wlr_data_source_impl impl = {
        .send = send, .accept = nullptr, .destroy = destroy, .dnd_drop = nullptr, .dnd_finish = nullptr, .dnd_action = nullptr};
};

// Reads a container's selection into the broker, from the event loop.
class ClipboardBroker::Reader {
public:
    Reader(ClipboardBroker& broker, std::string from, std::string mime, int fd, std::uint64_t limit)
        : broker_(broker), from_(std::move(from)), mime_(std::move(mime)), fd_(fd), limit_(limit)
    {
        wl_event_loop* loop = broker.server_.loop();
        fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
        source_ = wl_event_loop_add_fd(loop, fd_, WL_EVENT_READABLE, &Reader::on_readable, this);
        timer_ = wl_event_loop_add_timer(loop, &Reader::on_timeout, this);
        wl_event_source_timer_update(timer_, 10000);
    }
    ~Reader()
    {
        wl_event_source_remove(source_);
        wl_event_source_remove(timer_);
        close(fd_);
    }

private:
    static int on_readable(int fd, uint32_t, void* p)
    {
        auto* r = static_cast<Reader*>(p);
        char buf[65536];
        while (true) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) {
                r->data_.append(buf, static_cast<size_t>(n));
                if (r->data_.size() > r->limit_) return r->finish(true);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
            return r->finish(false);  // EOF (or a broken source: what arrived is what it sent)
        }
    }
    static int on_timeout(void* p) { return static_cast<Reader*>(p)->finish(false); }
    int finish(bool too_big)
    {
        ClipboardBroker& broker = broker_;
        std::string from = from_, mime = mime_, data = std::move(data_);
        broker.reading_ = nullptr;
        delete this;
        broker.export_done(from, mime, std::move(data), too_big);
        return 0;
    }
    ClipboardBroker& broker_;
    std::string from_, mime_;
    int fd_;
    std::uint64_t limit_;
    std::string data_;
    wl_event_source* source_ = nullptr;
    wl_event_source* timer_ = nullptr;
};

ClipboardBroker::ClipboardBroker(Server& server) : server_(server)
{
    wlr_seat* seat = server.seat().wlr();
    request_selection_.connect(&seat->events.request_set_selection, [this](void* data) {
        on_request_selection(static_cast<wlr_seat_request_set_selection_event*>(data));
    });
    request_primary_.connect(&seat->events.request_set_primary_selection, [this](void* data) {
        on_request_primary(static_cast<wlr_seat_request_set_primary_selection_event*>(data));
    });
}

ClipboardBroker::~ClipboardBroker()
{
    delete reading_;
    request_selection_.disconnect();
    request_primary_.disconnect();
    entries_.clear();
}

ClipboardBroker::Entry& ClipboardBroker::entry(const std::string& container)
{
    auto& e = entries_[container];
    if (!e) {
        e = std::make_unique<Entry>();
        e->changed = [this, container] {
            if (container == focused_) publish();
        };
    }
    return *e;
}

const ClipboardRules& ClipboardBroker::rules(const std::string& container) const
{
    auto it = rules_.find(container);
    return it == rules_.end() ? default_rules_ : it->second;
}

void ClipboardBroker::set_rules(const std::string& container, ClipboardRules rules) { rules_[container] = std::move(rules); }

void ClipboardBroker::on_request_selection(wlr_seat_request_set_selection_event* event)
{
    // Attribute the source to the container of the client that made it.
    std::string container;
    if (event->source) {
        wl_client* owner = source_owner(server_.display(), event->source, "wl_data_source");
        container = owner ? server_.policy().container_of(owner) : unowned_source_container();
    } else {
        // A client clearing "the" clipboard can only clear its own
        // container's, which is the focused one (only it got a serial).
        container = focused_;
    }
    wlr_log(WLR_DEBUG, "clipboard: %s sets its selection%s", container.empty() ? "host" : container.c_str(),
            event->source ? "" : " (cleared)");
    entry(container).set_selection(event->source);
    if (container == focused_) publish();
}

void ClipboardBroker::on_request_primary(wlr_seat_request_set_primary_selection_event* event)
{
    std::string container = focused_;
    if (event->source) {
        wl_client* owner = source_owner(server_.display(), event->source, "zwp_primary_selection_source_v1");
        container = owner ? server_.policy().container_of(owner) : unowned_source_container();
    }
    entry(container).set_primary(event->source);
    if (container == focused_) publish();
}

std::string ClipboardBroker::unowned_source_container() const
{
    // No client made it: an X selection brought over by a container's
    // window manager (wlroots lets X clients set it only while one of their
    // windows is focused), or a host tool's data-control source.
    View* focused = server_.focused_view();
    if (focused && std::strcmp(focused->kind(), "x11") == 0) return focused->container();
    return {};
}

void ClipboardBroker::focus_container(const std::string& container)
{
    if (container == focused_) return;
    focused_ = container;
    publish();
}

void ClipboardBroker::publish()
{
    wlr_seat* seat = server_.seat().wlr();
    Entry& e = entry(focused_);
    wlr_log(WLR_DEBUG, "clipboard: the seat now offers %s's clipboard (%s)", focused_.empty() ? "host" : focused_.c_str(),
            e.selection ? "set" : "empty");
    uint32_t serial = wl_display_next_serial(server_.display());
    wlr_seat_set_selection(seat, e.selection ? Proxy::create(*this, focused_, e.selection) : nullptr, serial);
    wlr_seat_set_primary_selection(seat, e.primary ? PrimaryProxy::create(*this, focused_, e.primary) : nullptr,
                                   serial);
}

void ClipboardBroker::drop_container(const std::string& container)
{
    entries_.erase(container);
    if (container == focused_) publish();
}

void ClipboardBroker::export_focused()
{
    const std::string from = focused_;
    const std::string label = from.empty() ? "host" : from;
    if (reading_) return server_.notify("Clipboard: a copy is already in progress");
    if (!rules(from).allow_export) return server_.notify("Clipboard: " + label + " may not be copied from (policy)");
    Entry& e = entry(from);
    if (!e.selection) return server_.notify("Clipboard: " + label + " has nothing on its clipboard");
    // The first type the policy allows, in the policy's order of preference.
    auto offered = mime_list(&e.selection->mime_types);
    std::string mime;
    for (const auto& allowed : rules(from).mime_types)
        if (std::find(offered.begin(), offered.end(), allowed) != offered.end()) {
            mime = allowed;
            break;
        }
    if (mime.empty()) return server_.notify("Clipboard: " + label + " offers no type the policy allows");
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return server_.notify("Clipboard: cannot create a pipe");
    reading_ = new Reader(*this, from, mime, fds[0], rules(from).max_bytes);
    wlr_data_source_send(e.selection, mime.c_str(), fds[1]);  // takes and closes fds[1]
}

void ClipboardBroker::export_done(const std::string& from, const std::string& mime, std::string data, bool too_big)
{
    const std::string label = from.empty() ? "host" : from;
    if (too_big) {
        return server_.notify("Clipboard: " + label + "'s clipboard is larger than its limit of " +
                              std::to_string(rules(from).max_bytes) + " bytes; nothing copied");
    }
    size_t size = data.size();
    buffer_ = Buffer{from, mime, std::move(data)};
    server_.notify("Clipboard: copied " + std::to_string(size) + " bytes (" + mime + ") from " + label +
                   " to the broker; Super+Shift+V pastes them into the focused container");
}

void ClipboardBroker::import_focused()
{
    const std::string to = focused_;
    const std::string label = to.empty() ? "host" : to;
    if (!buffer_) return server_.notify("Clipboard: the broker's buffer is empty (Super+Shift+C copies into it)");
    const ClipboardRules& r = rules(to);
    if (!r.allow_import) return server_.notify("Clipboard: " + label + " may not receive clipboard data (policy)");
    if (std::find(r.mime_types.begin(), r.mime_types.end(), buffer_->mime) == r.mime_types.end())
        return server_.notify("Clipboard: " + label + " does not accept " + buffer_->mime + " (policy)");
    if (buffer_->data.size() > r.max_bytes)
        return server_.notify("Clipboard: " + std::to_string(buffer_->data.size()) + " bytes exceed " + label +
                              "'s limit");
    Buffer b = std::move(*buffer_);
    buffer_.reset();  // offered once: the next import needs a new explicit copy
    std::string from = b.from.empty() ? "host" : b.from;
    size_t size = b.data.size();
    entry(to).set_selection(BufferSource::create(server_.loop(), b.mime, std::move(b.data)));
    publish();
    server_.notify("Clipboard: pasted " + std::to_string(size) + " bytes (" + b.mime + ") from " + from + " into " +
                   label);
}

std::optional<ClipboardBroker::BufferInfo> ClipboardBroker::buffer_info() const
{
    if (!buffer_) return std::nullopt;
    return BufferInfo{buffer_->from.empty() ? "host" : buffer_->from, buffer_->mime, buffer_->data.size()};
}

std::map<std::string, std::vector<std::string>> ClipboardBroker::selections() const
{
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [container, e] : entries_)
        if (e->selection) out[container.empty() ? "host" : container] = mime_list(&e->selection->mime_types);
    return out;
}

}  // namespace ctop
