// Listener: a wl_listener owned by a C++ object. It disconnects itself when
// destroyed, so a listener can never outlive the object whose method it calls.
#pragma once

#include <wayland-server-core.h>

#include <functional>

namespace ctop {

class Listener {
public:
    using Callback = std::function<void(void* data)>;

    Listener() { wl_list_init(&slot_.listener.link); }
    ~Listener() { disconnect(); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    void connect(wl_signal* signal, Callback cb)
    {
        disconnect();
        cb_ = std::move(cb);
        slot_.listener.notify = &Listener::dispatch;
        wl_signal_add(signal, &slot_.listener);
    }
    void disconnect()
    {
        wl_list_remove(&slot_.listener.link);
        wl_list_init(&slot_.listener.link);
    }
    bool connected() const { return !wl_list_empty(&slot_.listener.link); }

private:
    // The wl_listener is the first member, so dispatch() can find its owner.
    struct Slot {
        wl_listener listener;
        Listener* owner;
    };
    static void dispatch(wl_listener* l, void* data) { reinterpret_cast<Slot*>(l)->owner->cb_(data); }
    Slot slot_{{}, this};
    Callback cb_;
};

}  // namespace ctop
