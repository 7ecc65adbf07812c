// Event sources owned by C++ objects, beside Listener (listener.hpp): each
// removes its wl_event_source when destroyed, so a callback can never run
// after the object it calls into is gone, and no static trampoline or
// void* cast is written at the call site (Wayfire's wl_timer, wl_idle_call).
// None of them may be moved once armed: the loop holds their address.
#pragma once

#include <wayland-server-core.h>

#include <cstdint>
#include <functional>

namespace ctop {

class EventSource {
public:
    EventSource() = default;
    ~EventSource() { remove(); }
    EventSource(const EventSource&) = delete;
    EventSource& operator=(const EventSource&) = delete;

    bool active() const { return source_ != nullptr; }
    void remove()
    {
        if (source_) wl_event_source_remove(source_);
        source_ = nullptr;
    }

protected:
    wl_event_source* source_ = nullptr;
};

// Calls back when `fd` is ready (mask: WL_EVENT_READABLE | WRITABLE, and
// HANGUP / ERROR, which are always reported). Does not own the fd.
class FdWatch : public EventSource {
public:
    using Callback = std::function<void(uint32_t mask)>;
    void watch(wl_event_loop* loop, int fd, uint32_t mask, Callback cb)
    {
        remove();
        cb_ = std::move(cb);
        source_ = wl_event_loop_add_fd(loop, fd, mask, &FdWatch::dispatch, this);
    }
    void update(uint32_t mask)
    {
        if (source_) wl_event_source_fd_update(source_, mask);
    }

private:
    static int dispatch(int, uint32_t mask, void* data)
    {
        static_cast<FdWatch*>(data)->cb_(mask);
        return 0;
    }
    Callback cb_;
};

// Calls back once, `ms` milliseconds after arm(); arm() again re-arms it.
class Timer : public EventSource {
public:
    void arm(wl_event_loop* loop, int ms, std::function<void()> cb)
    {
        cb_ = std::move(cb);
        if (!source_) source_ = wl_event_loop_add_timer(loop, &Timer::dispatch, this);
        wl_event_source_timer_update(source_, ms > 0 ? ms : 1);  // 0 would disarm it
    }
    void disarm()
    {
        if (source_) wl_event_source_timer_update(source_, 0);
    }

private:
    static int dispatch(void* data)
    {
        static_cast<Timer*>(data)->cb_();
        return 0;
    }
    std::function<void()> cb_;
};

// Calls back once, when the loop is next idle; scheduling it again while it
// waits does not add a second call.
class IdleCall : public EventSource {
public:
    void schedule(wl_event_loop* loop, std::function<void()> cb)
    {
        cb_ = std::move(cb);
        if (!source_) source_ = wl_event_loop_add_idle(loop, &IdleCall::dispatch, this);
    }

private:
    static void dispatch(void* data)
    {
        auto* self = static_cast<IdleCall*>(data);
        self->source_ = nullptr;  // an idle source is freed by the loop once it ran
        auto cb = self->cb_;      // the callback may schedule the next call
        cb();
    }
    std::function<void()> cb_;
};

// Calls back on the loop whenever the process receives `signal_number`.
class SignalWatch : public EventSource {
public:
    void watch(wl_event_loop* loop, int signal_number, std::function<void()> cb)
    {
        remove();
        cb_ = std::move(cb);
        source_ = wl_event_loop_add_signal(loop, signal_number, &SignalWatch::dispatch, this);
    }

private:
    static int dispatch(int, void* data)
    {
        static_cast<SignalWatch*>(data)->cb_();
        return 0;
    }
    std::function<void()> cb_;
};

}  // namespace ctop
