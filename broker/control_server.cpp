// The control socket, server and client halves.
#include "control_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ctop {
namespace {

constexpr size_t max_request_bytes = 1 << 20;

sockaddr_un unix_address(const std::filesystem::path& path)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof addr.sun_path)
        throw std::runtime_error("socket path too long: " + path.string());
    std::strcpy(addr.sun_path, path.c_str());
    return addr;
}

// Writes all of `data` to a socket; replies are small, a short blocking
// write is bounded by the peer's buffer.
void send_all(int fd, const std::string& data)
{
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                pollfd p{fd, POLLOUT, 0};
                if (poll(&p, 1, 1000) <= 0) return;  // a peer that does not read loses its reply
                continue;
            }
            return;
        }
        done += static_cast<size_t>(n);
    }
}

}  // namespace

struct ControlServer::Connection {
    int fd;
    wl_event_source* source = nullptr;
    std::string buffer;
    bool open = true;
};

ControlServer::ControlServer(wl_event_loop* loop, std::filesystem::path path, Handler handler)
    : loop_(loop), path_(std::move(path)), handler_(std::move(handler))
{
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error(std::string("control socket: ") + std::strerror(errno));
    sockaddr_un addr = unix_address(path_);
    // A socket left by a crashed session is replaced; a live one is not.
    if (std::filesystem::exists(path_)) {
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool live = connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        close(probe);
        if (live) {
            close(listen_fd_);
            throw std::runtime_error("a ctopbroker session is already running (" + path_.string() + ")");
        }
        unlink(path_.c_str());
    }
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 16) != 0) {
        int err = errno;
        close(listen_fd_);
        throw std::runtime_error("cannot listen on " + path_.string() + ": " + std::strerror(err));
    }
    chmod(path_.c_str(), 0600);
    source_ = wl_event_loop_add_fd(loop_, listen_fd_, WL_EVENT_READABLE, &ControlServer::on_accept, this);
}

ControlServer::~ControlServer()
{
    for (auto& [fd, conn] : connections_) {
        wl_event_source_remove(conn->source);
        close(fd);
        conn->open = false;
    }
    if (source_) wl_event_source_remove(source_);
    close(listen_fd_);
    unlink(path_.c_str());
}

int ControlServer::on_accept(int, uint32_t, void* data)
{
    auto* self = static_cast<ControlServer*>(data);
    while (true) {
        int fd = accept4(self->listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        auto conn = std::make_shared<Connection>();
        conn->fd = fd;
        conn->source = wl_event_loop_add_fd(self->loop_, fd, WL_EVENT_READABLE, &ControlServer::on_readable, self);
        self->connections_[fd] = conn;
    }
    return 0;
}

int ControlServer::on_readable(int fd, uint32_t mask, void* data)
{
    auto* self = static_cast<ControlServer*>(data);
    auto it = self->connections_.find(fd);
    if (it == self->connections_.end()) return 0;
    std::shared_ptr<Connection> conn = it->second;
    char buf[65536];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) {
        self->close_connection(fd);
        return 0;
    }
    if (n > 0) conn->buffer.append(buf, static_cast<size_t>(n));
    if (conn->buffer.size() > max_request_bytes) {
        send_all(fd, R"({"ok":false,"error":"request too large"})" "\n");
        self->close_connection(fd);
        return 0;
    }
    size_t newline;
    while (conn->open && (newline = conn->buffer.find('\n')) != std::string::npos) {
        std::string line = conn->buffer.substr(0, newline);
        conn->buffer.erase(0, newline + 1);
        std::weak_ptr<Connection> weak = conn;
        Reply reply = [weak](const nlohmann::json& response) {
            auto c = weak.lock();
            if (c && c->open) send_all(c->fd, response.dump() + "\n");
        };
        nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
        if (request.is_discarded() || !request.is_object() || !request.contains("cmd")) {
            reply({{"ok", false}, {"error", "malformed request: expected a JSON object with \"cmd\""}});
            continue;
        }
        self->handler_(request, reply);
    }
    (void)mask;
    return 0;
}

void ControlServer::close_connection(int fd)
{
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    it->second->open = false;
    wl_event_source_remove(it->second->source);
    close(fd);
    connections_.erase(it);
}

nlohmann::json control_request(const std::filesystem::path& path, const nlohmann::json& request)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = unix_address(path);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        throw std::runtime_error("no ctopbroker session is running (" + path.string() +
                                 "): start one with `ctopbroker session`");
    }
    send_all(fd, request.dump() + "\n");
    std::string buffer;
    char buf[65536];
    while (buffer.find('\n') == std::string::npos) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            close(fd);
            throw std::runtime_error("the session closed the control connection without replying");
        }
        buffer.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    auto reply = nlohmann::json::parse(buffer.substr(0, buffer.find('\n')), nullptr, false);
    if (reply.is_discarded()) throw std::runtime_error("the session sent a malformed reply");
    return reply;
}

}  // namespace ctop
