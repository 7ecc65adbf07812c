// Per-container selections, the proxies on the seat, and the broker buffer.
#include "clipboard.hpp"

#include "clock.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "view.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

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
                if (std::strcmp(wl_resource_get_class(r), s->interface) == 0 &&
                    wl_resource_get_user_data(r) == s->source) {
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

// One container's selection and primary selection (the real sources). A
// client's source is ours to destroy; an X source belongs to the private seat
// of the Xwayland that made it (wlroots' window manager frees it from there).
class ClipboardBroker::Entry {
public:
    ~Entry()
    {
        set_selection(nullptr);
        set_primary(nullptr);
    }
    wlr_data_source* selection = nullptr;
    wlr_primary_selection_source* primary = nullptr;
    bool selection_from_x = false, primary_from_x = false;
    std::uint64_t generation = next_generation();  // changes with either selection, unique across entries
    std::function<void()> changed;

    void set_selection(wlr_data_source* source, bool from_x = false)
    {
        hold(selection, selection_from_x, selection_destroy_, source, from_x);
    }
    void set_primary(wlr_primary_selection_source* source, bool from_x = false)
    {
        hold(primary, primary_from_x, primary_destroy_, source, from_x);
    }

private:
    static void destroy_source(wlr_data_source* source) { wlr_data_source_destroy(source); }
    static void destroy_source(wlr_primary_selection_source* source) { wlr_primary_selection_source_destroy(source); }

    // Either kind of selection: `slot` takes `source` and forgets it when it
    // is destroyed; the source it held before is destroyed when it was a
    // client's (its client learns it lost the selection).
    template <typename Source>
    void hold(Source*& slot, bool& slot_from_x, Listener& destroy, Source* source, bool from_x)
    {
        if (source == slot) return;
        Source* old = slot;
        bool owned = !slot_from_x;
        destroy.disconnect();
        slot = source;
        slot_from_x = source && from_x;
        generation = next_generation();
        if (source)
            destroy.connect(&source->events.destroy, [this, &slot, &slot_from_x, &destroy](void*) {
                destroy.disconnect();
                slot = nullptr;
                slot_from_x = false;
                generation = next_generation();
                if (changed) changed();
            });
        if (old && owned) destroy_source(old);
    }
    static std::uint64_t next_generation()
    {
        static std::uint64_t counter = 0;
        return ++counter;
    }
    Listener selection_destroy_, primary_destroy_;
};

// What a seat holds: forwards reads to one container's real source. On an
// Xwayland's private seat (x_reader) and for X sources, reads go through a
// bounded relay; an Xwayland never reads its own X source through us (that
// was a loop that opened pipes until the session ran out of descriptors).
class ClipboardBroker::Proxy {
public:
    static wlr_data_source* create(ClipboardBroker& broker, const std::string& container, wlr_data_source* real,
                                   bool x_reader)
    {
        auto* p = new Proxy{};
        p->broker = &broker;
        p->container = container;
        p->x_reader = x_reader;
        wlr_data_source_init(&p->base, &impl);
        copy_mime_types(&p->base.mime_types, &real->mime_types);
        return &p->base;
    }

private:
    wlr_data_source base;  // first member: wlroots hands us &base
    ClipboardBroker* broker;
    std::string container;
    bool x_reader;

    static void send(wlr_data_source* s, const char* mime, int32_t fd)
    {
        auto* p = reinterpret_cast<Proxy*>(s);
        auto it = p->broker->entries_.find(p->container);
        if (it == p->broker->entries_.end() || !it->second->selection || (p->x_reader && it->second->selection_from_x))
            return void(close(fd));
        wlr_data_source* real = it->second->selection;
        if (!p->x_reader && !it->second->selection_from_x) return wlr_data_source_send(real, mime, fd);
        std::string type = mime;
        p->broker->relay(p->container, fd, [real, type](int w) { wlr_data_source_send(real, type.c_str(), w); });
    }
    static void destroy(wlr_data_source* s) { delete reinterpret_cast<Proxy*>(s); }
    static constexpr wlr_data_source_impl impl = {.send = send,
                                                  .accept = nullptr,
                                                  .destroy = destroy,
                                                  .dnd_drop = nullptr,
                                                  .dnd_finish = nullptr,
                                                  .dnd_action = nullptr};
};

class ClipboardBroker::PrimaryProxy {
public:
    static wlr_primary_selection_source* create(ClipboardBroker& broker, const std::string& container,
                                                wlr_primary_selection_source* real, bool x_reader)
    {
        auto* p = new PrimaryProxy{};
        p->broker = &broker;
        p->container = container;
        p->x_reader = x_reader;
        wlr_primary_selection_source_init(&p->base, &impl);
        copy_mime_types(&p->base.mime_types, &real->mime_types);
        return &p->base;
    }
    static bool is(const wlr_primary_selection_source* s) { return s->impl == &impl; }

private:
    wlr_primary_selection_source base;
    ClipboardBroker* broker;
    std::string container;
    bool x_reader;

    static void send(wlr_primary_selection_source* s, const char* mime, int fd)
    {
        auto* p = reinterpret_cast<PrimaryProxy*>(s);
        auto it = p->broker->entries_.find(p->container);
        if (it == p->broker->entries_.end() || !it->second->primary || (p->x_reader && it->second->primary_from_x))
            return void(close(fd));
        wlr_primary_selection_source* real = it->second->primary;
        if (!p->x_reader && !it->second->primary_from_x) return wlr_primary_selection_source_send(real, mime, fd);
        std::string type = mime;
        p->broker->relay(p->container, fd,
                         [real, type](int w) { wlr_primary_selection_source_send(real, type.c_str(), w); });
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
    static constexpr wlr_data_source_impl impl = {.send = send,
                                                  .accept = nullptr,
                                                  .destroy = destroy,
                                                  .dnd_drop = nullptr,
                                                  .dnd_finish = nullptr,
                                                  .dnd_action = nullptr};
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

// A container Xwayland's private seat. wlroots' window manager takes its
// selections from here and sets them here; nothing else uses this seat (its
// wl_seat global is hidden from every client, see ClientPolicy).
class ClipboardBroker::XSelections {
public:
    XSelections(ClipboardBroker& broker, std::string container)
        : broker_(broker), container_(std::move(container)),
          seat(wlr_seat_create(broker.server_.display(), ("xwayland-" + container_).c_str()))
    {
        request_selection_.connect(&seat->events.request_set_selection, [this](void* data) {
            on_request_selection(static_cast<wlr_seat_request_set_selection_event*>(data));
        });
        request_primary_.connect(&seat->events.request_set_primary_selection, [this](void* data) {
            on_request_primary(static_cast<wlr_seat_request_set_primary_selection_event*>(data));
        });
        set_primary_.connect(&seat->events.set_primary_selection, [this](void*) { on_set_primary(); });
    }
    ~XSelections()
    {
        request_selection_.disconnect();
        request_primary_.disconnect();
        set_primary_.disconnect();
        wlr_seat_destroy(seat);  // wlroots detaches the Xwayland from it
    }

private:
    ClipboardBroker& broker_;
    std::string container_;

public:
    wlr_seat* const seat;
    Shown shown;

private:
    uint32_t serial() const { return wl_display_next_serial(broker_.server_.display()); }

    // An X client took CLIPBOARD (source), or its owner went away (nullptr).
    void on_request_selection(wlr_seat_request_set_selection_event* event)
    {
        Entry& e = broker_.entry(container_);
        if (event->source) {
            if (!broker_.x_focused(container_)) {
                broker_.refused(container_, "an X client set the clipboard while no X window of it has focus");
                return wlr_data_source_destroy(event->source);
            }
            wlr_seat_set_selection(seat, event->source, event->serial);  // the window manager ignores its own
            e.set_selection(event->source, true);
            return broker_.publish();
        }
        // Its own X data may go with its owner; anything else only while focused.
        if (e.selection_from_x) return wlr_seat_set_selection(seat, nullptr, serial());
        if (!broker_.x_focused(container_))
            return broker_.refused(container_, "an X client cleared the clipboard while no X window of it has focus");
        e.set_selection(nullptr);
        broker_.publish();
    }

    // wlroots sets an X PRIMARY on the seat directly, without a request.
    void on_set_primary()
    {
        wlr_primary_selection_source* source = seat->primary_selection_source;
        if (!source || PrimaryProxy::is(source)) return;  // our own doing
        Entry& e = broker_.entry(container_);
        if (source == e.primary) return;
        if (!broker_.x_focused(container_)) {
            broker_.refused(container_, "an X client set the primary selection while no X window of it has focus");
            return wlr_seat_set_primary_selection(seat, nullptr, serial());
        }
        e.set_primary(source, true);
        broker_.publish();
    }

    void on_request_primary(wlr_seat_request_set_primary_selection_event* event)
    {
        Entry& e = broker_.entry(container_);
        if (event->source) {
            if (broker_.x_focused(container_))
                return wlr_seat_set_primary_selection(seat, event->source, event->serial);
            broker_.refused(container_, "an X client set the primary selection while no X window of it has focus");
            return wlr_primary_selection_source_destroy(event->source);
        }
        if (e.primary_from_x) return wlr_seat_set_primary_selection(seat, nullptr, serial());
        if (!broker_.x_focused(container_))
            return broker_.refused(container_,
                                   "an X client cleared the primary selection while no X window of it has focus");
        e.set_primary(nullptr);
        broker_.publish();
    }

    Listener request_selection_, request_primary_, set_primary_;
};

// Copies one transfer that crosses into or out of Xwayland, from the event
// loop: bounded in bytes and idle time, and always closed at the end. Only one
// of its two descriptors is watched at a time (read a chunk, write it out).
class ClipboardBroker::Relay {
public:
    Relay(ClipboardBroker& broker, std::string container, int from, int to, std::uint64_t limit)
        : broker_(broker), container_(std::move(container)), from_(from), to_(to), limit_(limit)
    {
        ++broker_.transfers_[container_];
        fcntl(to_, F_SETFL, fcntl(to_, F_GETFL) | O_NONBLOCK);
        timer_ = wl_event_loop_add_timer(broker_.server_.loop(), &Relay::on_timeout, this);
        watch(from_, WL_EVENT_READABLE);
    }
    ~Relay()
    {
        if (source_) wl_event_source_remove(source_);
        wl_event_source_remove(timer_);
        close(from_);
        close(to_);
        --broker_.transfers_[container_];
    }
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    static constexpr int idle_timeout_ms = 10000;

private:
    void watch(int fd, uint32_t mask)
    {
        if (source_) wl_event_source_remove(source_);
        reading_ = fd == from_;
        source_ = wl_event_loop_add_fd(broker_.server_.loop(), fd, mask, &Relay::on_event, this);
        wl_event_source_timer_update(timer_, idle_timeout_ms);
    }
    static int on_event(int, uint32_t, void* data)  // the loop passes its own duplicate of the fd
    {
        auto* r = static_cast<Relay*>(data);
        return r->reading_ ? r->read_chunk() : r->write_chunk();
    }
    static int on_timeout(void* data)
    {
        auto* r = static_cast<Relay*>(data);
        r->broker_.refused(r->container_, "a clipboard transfer stalled for 10 s");
        r->broker_.relay_done(r);
        return 0;
    }
    int read_chunk()
    {
        ssize_t n = read(from_, buf_, sizeof buf_);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
        if (n <= 0) return broker_.relay_done(this), 0;  // end of data (or a broken source)
        total_ += static_cast<std::uint64_t>(n);
        if (total_ > limit_) {
            broker_.refused(container_, "a clipboard transfer exceeded the container's size limit");
            return broker_.relay_done(this), 0;
        }
        length_ = static_cast<size_t>(n);
        offset_ = 0;
        watch(to_, WL_EVENT_WRITABLE);
        return 0;
    }
    int write_chunk()
    {
        ssize_t n = write(to_, buf_ + offset_, length_ - offset_);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
        if (n < 0) return broker_.relay_done(this), 0;  // the reader went away
        offset_ += static_cast<size_t>(n);
        if (offset_ == length_) watch(from_, WL_EVENT_READABLE);
        return 0;
    }

    ClipboardBroker& broker_;
    std::string container_;
    int from_, to_;
    std::uint64_t limit_, total_ = 0;
    char buf_[65536];
    size_t length_ = 0, offset_ = 0;
    bool reading_ = true;
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
    relays_.clear();
    for (auto& [container, e] : entries_) e->changed = nullptr;
    entries_.clear();
    x_.clear();
    if (publish_idle_) wl_event_source_remove(publish_idle_);
}

ClipboardBroker::Entry& ClipboardBroker::entry(const std::string& container)
{
    auto& e = entries_[container];
    if (!e) {
        e = std::make_unique<Entry>();
        // Not from inside wlroots' own teardown of the source: on the next idle.
        e->changed = [this] { publish_later(); };
    }
    return *e;
}

const ClipboardRules& ClipboardBroker::rules(const std::string& container) const
{
    auto it = rules_.find(container);
    return it == rules_.end() ? default_rules_ : it->second;
}

void ClipboardBroker::set_rules(const std::string& container, ClipboardRules rules)
{
    rules_[container] = std::move(rules);
}

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
    wlr_log(WLR_DEBUG, "clipboard: %s sets its selection%s", container.c_str(), event->source ? "" : " (cleared)");
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
    // No client made it: a host tool's data-control source (X selections never
    // come to the user's seat, each Xwayland has its own).
    return host_identity;
}

void ClipboardBroker::focus_container(const std::string& container, bool x_window)
{
    if (container == focused_ && x_window == x_focus_) return;
    focused_ = container;
    x_focus_ = x_window;
    publish();
}

void ClipboardBroker::attach_xwayland(const std::string& container, wlr_xwayland* xwayland)
{
    auto& x = x_[container];
    if (!x) x = std::make_unique<XSelections>(*this, container);
    wlr_xwayland_set_seat(xwayland, x->seat);
    publish_x(container, *x);
}

void ClipboardBroker::publish_later()
{
    if (publish_idle_) return;
    publish_idle_ = wl_event_loop_add_idle(
        server_.loop(),
        [](void* data) {
            auto* self = static_cast<ClipboardBroker*>(data);
            self->publish_idle_ = nullptr;
            self->publish();
        },
        this);
}

// An Xwayland sees its container's selections only while one of its X windows
// has focus; otherwise nothing (wlroots then gives up the X selection it held
// for us). Its own X data stays with its X server, which serves it directly.
void ClipboardBroker::publish_x(const std::string& container, XSelections& x)
{
    Entry& e = entry(container);
    Shown wanted{nullptr, nullptr, container, e.generation, x_focused(container)};
    if (x.shown.same(x.seat, wanted)) return;
    uint32_t serial = wl_display_next_serial(server_.display());
    if (!e.selection_from_x)
        wlr_seat_set_selection(
            x.seat, wanted.visible && e.selection ? Proxy::create(*this, container, e.selection, true) : nullptr,
            serial);
    if (!e.primary_from_x)
        wlr_seat_set_primary_selection(
            x.seat, wanted.visible && e.primary ? PrimaryProxy::create(*this, container, e.primary, true) : nullptr,
            serial);
    wanted.selection = x.seat->selection_source;
    wanted.primary = x.seat->primary_selection_source;
    x.shown = wanted;
}

void ClipboardBroker::relay(const std::string& container, int fd, const std::function<void(int)>& send)
{
    if (transfers_[container] >= max_transfers) {
        refused(container, "too many clipboard transfers at once (at most " + std::to_string(max_transfers) + ")");
        return void(close(fd));
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
        wlr_log_errno(WLR_ERROR, "clipboard: container %s: cannot relay a transfer", container.c_str());
        return void(close(fd));
    }
    relays_.push_back(std::make_unique<Relay>(*this, container, p[0], fd, rules(container).max_bytes));
    send(p[1]);  // the source takes and closes its end
}

void ClipboardBroker::relay_done(Relay* relay)
{
    std::erase_if(relays_, [relay](const auto& r) { return r.get() == relay; });
}

void ClipboardBroker::refused(const std::string& container, const std::string& what)
{
    // One line a second per container at most: a refusal must not become a log flood.
    std::uint64_t now = monotonic_msec();
    std::uint64_t& last = last_refusal_ms_[container];
    if (last && now - last < 1000) return;
    last = now;
    wlr_log(WLR_INFO, "clipboard: container %s: %s: refused", container.c_str(), what.c_str());
}

void ClipboardBroker::publish()
{
    for (auto& [container, x] : x_) publish_x(container, *x);
    wlr_seat* seat = server_.seat().wlr();
    Entry& e = entry(focused_);
    Shown wanted{nullptr, nullptr, focused_, e.generation, true};
    if (shown_.same(seat, wanted)) return;
    wlr_log(WLR_DEBUG, "clipboard: the seat now offers %s's clipboard (%s)", focused_.c_str(),
            e.selection ? "set" : "empty");
    uint32_t serial = wl_display_next_serial(server_.display());
    wlr_seat_set_selection(seat, e.selection ? Proxy::create(*this, focused_, e.selection, false) : nullptr, serial);
    wlr_seat_set_primary_selection(seat, e.primary ? PrimaryProxy::create(*this, focused_, e.primary, false) : nullptr,
                                   serial);
    shown_ = wanted;
    shown_.selection = seat->selection_source;
    shown_.primary = seat->primary_selection_source;
}

void ClipboardBroker::drop_container(const std::string& container)
{
    entries_.erase(container);
    rules_.erase(container);
    x_.erase(container);  // after the entry: nothing of ours refers to its X sources any more
    publish();
}

void ClipboardBroker::export_focused()
{
    const std::string from = focused_;
    const std::string& label = from;
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
    const std::string& label = from;
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
    const std::string& label = to;
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
    std::string from = b.from;
    size_t size = b.data.size();
    entry(to).set_selection(BufferSource::create(server_.loop(), b.mime, std::move(b.data)));
    publish();
    server_.notify("Clipboard: pasted " + std::to_string(size) + " bytes (" + b.mime + ") from " + from + " into " +
                   label);
}

std::optional<ClipboardBroker::BufferInfo> ClipboardBroker::buffer_info() const
{
    if (!buffer_) return std::nullopt;
    return BufferInfo{buffer_->from, buffer_->mime, buffer_->data.size()};
}

std::map<std::string, std::vector<std::string>> ClipboardBroker::selections() const
{
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [container, e] : entries_)
        if (e->selection) out[container] = mime_list(&e->selection->mime_types);
    return out;
}

}  // namespace ctop
