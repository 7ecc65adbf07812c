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
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

#include <cstdint>
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
    std::vector<std::string> mime_types = {"text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT",
                                           "STRING", "image/png"};
};

class ClipboardBroker {
public:
    explicit ClipboardBroker(Server& server);
    ~ClipboardBroker();
    ClipboardBroker(const ClipboardBroker&) = delete;
    ClipboardBroker& operator=(const ClipboardBroker&) = delete;

    void set_rules(const std::string& container, ClipboardRules rules);
    // Call when keyboard focus may have moved to another container ("" = host).
    void focus_container(const std::string& container);
    // Forget a container's selections (it stopped).
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
    Entry& entry(const std::string& container);
    const ClipboardRules& rules(const std::string& container) const;
    void on_request_selection(wlr_seat_request_set_selection_event* event);
    void on_request_primary(wlr_seat_request_set_primary_selection_event* event);
    std::string unowned_source_container() const;
    void publish();  // puts the focused container's proxies on the seat
    void export_done(const std::string& from, const std::string& mime, std::string data, bool too_big);

    Server& server_;
    std::string focused_;
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
