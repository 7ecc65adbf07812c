// ClipboardBroker: one clipboard (and primary selection) per container.
//
// The seat has a single selection, which wlroots offers to whichever client
// has keyboard focus. We keep each container's real selection source to
// ourselves and put on the seat only a proxy for the container that owns the
// focused window; when focus moves to another container the proxy is swapped.
// A client therefore only ever sees its own container's clipboard, and a
// source is attributed to the container of the client that created it, never
// to whoever has focus. Moving data between containers takes an explicit
// compositor keybinding (export into the broker's buffer, import from it).
//
// X11: each container's Xwayland gets a private seat of its own (hidden from
// every client) instead of the user's. wlroots' window manager bridges X
// selections only with that seat, so an Xwayland can only ever see its own
// container's proxy — and only while one of that container's X windows has
// keyboard focus — and whatever it sets or clears lands in its own
// container's entry, and only while it is focused. Transfers that cross into
// or out of Xwayland go through a relay that bounds their number per
// container, their bytes and their idle time.
#pragma once

#include "identity.hpp"
#include "listener.hpp"
#include "wlr.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ctop {

class Server;

struct ClipboardRules {
    bool allow_import = true;
    bool allow_export = true;
    std::uint64_t max_bytes = 64ull << 20;
    std::vector<std::string> mime_types = {
        "text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT", "STRING", "image/png"};
};

class ClipboardBroker {
public:
    explicit ClipboardBroker(Server& server);
    ~ClipboardBroker();
    ClipboardBroker(const ClipboardBroker&) = delete;
    ClipboardBroker& operator=(const ClipboardBroker&) = delete;

    void set_rules(const std::string& container, ClipboardRules rules);
    // Call when keyboard focus may have moved to another container (or the host);
    // x_window: the focused window is one of its X11 windows.
    void focus_container(const std::string& container, bool x_window = false);
    // Gives a container's (new) Xwayland its private selection seat.
    void attach_xwayland(const std::string& container, wlr_xwayland* xwayland);
    // Forget a container's selections and rules (it stopped).
    void drop_container(const std::string& container);

    // The user's explicit cross-container actions (Super+Shift+C / V).
    void export_focused();
    void import_focused();

    struct BufferInfo {
        std::string from;
        std::string mime;
        size_t bytes;
    };
    std::optional<BufferInfo> buffer_info() const;
    // Containers with a selection, and their MIME types.
    std::map<std::string, std::vector<std::string>> selections() const;

private:
    class Entry;
    class Proxy;
    class PrimaryProxy;
    class BufferSource;
    class Reader;
    class XSelections;
    class Relay;
    // What a seat offers now. An unchanged clipboard is never offered anew: a
    // new offer voids the one a client has just asked to receive from.
    struct Shown {
        const void* selection = nullptr;
        const void* primary = nullptr;
        std::string container;
        std::uint64_t generation = 0;
        bool visible = false;
        bool same(const wlr_seat* seat, const Shown& wanted) const
        {
            return seat->selection_source == selection && seat->primary_selection_source == primary &&
                   container == wanted.container && generation == wanted.generation && visible == wanted.visible;
        }
    };
    Entry& entry(const std::string& container);
    const ClipboardRules& rules(const std::string& container) const;
    void on_request_selection(wlr_seat_request_set_selection_event* event);
    void on_request_primary(wlr_seat_request_set_primary_selection_event* event);
    std::string unowned_source_container() const;
    void publish();  // puts the focused container's proxies on the seat(s)
    void publish_later();
    void publish_x(const std::string& container, XSelections& x);
    bool x_focused(const std::string& container) const { return x_focus_ && container == focused_; }
    // Hands `fd` (the reader's end) to `send` through a bounded relay; false if refused.
    void relay(const std::string& container, int fd, const std::function<void(int)>& send);
    void relay_done(Relay* relay);
    void refused(const std::string& container, const std::string& what);  // logged, rate-limited
    static constexpr int max_transfers = 8;                               // relayed X transfers at once, per container
    void export_done(const std::string& from, const std::string& mime, std::string data, bool too_big);

    Server& server_;
    std::string focused_ = host_identity;
    bool x_focus_ = false;
    Shown shown_;  // on the user's seat
    wl_event_source* publish_idle_ = nullptr;
    std::map<std::string, std::unique_ptr<XSelections>> x_;
    std::map<std::string, int> transfers_;  // relays running, per container
    std::vector<std::unique_ptr<Relay>> relays_;
    std::map<std::string, std::uint64_t> last_refusal_ms_;
    std::map<std::string, std::unique_ptr<Entry>> entries_;
    std::map<std::string, ClipboardRules> rules_;
    ClipboardRules default_rules_;
    struct Buffer {
        std::string from, mime, data;
    };
    std::optional<Buffer> buffer_;
    Reader* reading_ = nullptr;
    Listener request_selection_, request_primary_;
};

}  // namespace ctop
