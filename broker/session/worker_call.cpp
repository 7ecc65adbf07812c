// The session's side of the container worker: start one, read its reply on
// the event loop (the worker itself is helpers/worker.cpp).
#include "worker_call.hpp"

#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <set>

namespace ctop {
using nlohmann::json;

namespace {
json fail(const std::string& message)
{
    return {{"ok", false}, {"error", message}};
}

// Each call owns itself until it finishes; these are the ones still waiting.
std::set<WorkerCall*>& waiting()
{
    static std::set<WorkerCall*> calls;
    return calls;
}
}  // namespace

pid_t WorkerCall::start(wl_event_loop* loop, const json& request, Done done, int timeout_ms,
                        const std::vector<int>& fds)
{
    Helper worker;
    try {
        worker = start_helper("_worker", fds);
    } catch (const std::exception& e) {
        done(fail(std::string("worker: ") + e.what()));
        return -1;
    }
    // Requests are small: they fit the pipe buffer, so this write cannot block.
    std::string line = request.dump() + "\n";
    ssize_t written = write(worker.to_child, line.data(), line.size());
    (void)written;
    close(worker.to_child);

    auto* call = new WorkerCall();
    call->pid_ = worker.pid;
    call->fd_ = worker.from_child;
    call->done_ = std::move(done);
    call->what_ = "the " + request.value("op", std::string("container operation")) + " of container '" +
                  request.value("name", std::string("?")) + "'";
    fcntl(call->fd_, F_SETFL, O_NONBLOCK);
    call->source_ = wl_event_loop_add_fd(loop, call->fd_, WL_EVENT_READABLE, &WorkerCall::on_readable, call);
    call->timer_ = wl_event_loop_add_timer(loop, &WorkerCall::on_timeout, call);
    wl_event_source_timer_update(call->timer_, timeout_ms);
    waiting().insert(call);
    return worker.pid;
}

void WorkerCall::abandon_all()
{
    for (WorkerCall* call : std::set<WorkerCall*>(std::move(waiting()))) {
        wl_event_source_remove(call->source_);
        wl_event_source_remove(call->timer_);
        close(call->fd_);
        delete call;
    }
    waiting().clear();
}

int WorkerCall::on_readable(int fd, uint32_t, void* data)
{
    auto* call = static_cast<WorkerCall*>(data);
    char buf[4096];
    while (true) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            call->buffer_.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
        break;  // EOF: the worker is done
    }
    json reply = json::parse(call->buffer_, nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) {
        // It may have got halfway (a container started, no app yet): the
        // next spawn takes the container as it finds it.
        reply = fail(call->what_ + " failed: its worker (pid " + std::to_string(call->pid_) +
                     ") died without an answer (killed?); run it again");
        reply["worker_lost"] = true;
    }
    call->finish(reply);
    return 0;
}

int WorkerCall::on_timeout(void* data)
{
    auto* call = static_cast<WorkerCall*>(data);
    kill(call->pid_, SIGKILL);
    json reply = fail(call->what_ + " timed out: its worker (pid " + std::to_string(call->pid_) +
                      ") was killed; see the container's log (`lxc-info`, LXCPATH/NAME/NAME.log) and run it again");
    reply["worker_lost"] = true;
    call->finish(reply);
    return 0;
}

void WorkerCall::finish(const json& reply)
{
    wl_event_source_remove(source_);
    wl_event_source_remove(timer_);
    close(fd_);
    waiting().erase(this);
    // The worker has closed stdout or been killed: reaping it is immediate.
    waitpid(pid_, nullptr, 0);
    Done done = std::move(done_);
    delete this;
    done(reply);
}

}  // namespace ctop
