// The control socket, the session's half (the CLI's is control_client.cpp).
#include "control_server.hpp"

#include "unix_address.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace ctop {

bool RequestReader::feed(std::string_view bytes, std::vector<std::string>& lines)
{
    while (!bytes.empty()) {
        size_t newline = bytes.find('\n');
        std::string_view part = bytes.substr(0, newline);
        if (pending_.size() + part.size() > max_line_) return false;
        pending_.append(part);
        if (newline == std::string_view::npos) break;
        lines.push_back(std::move(pending_));
        pending_.clear();
        bytes.remove_prefix(newline + 1);
    }
    return true;
}

struct ControlServer::Connection {
    int fd;  // owned by `owned`, kept as the key while the connection lives
    UniqueFd owned;
    FdWatch watch;
    RequestReader reader;
    std::string out;      // replies not yet taken by the peer
    size_t out_sent = 0;  // of `out`
    bool open = true;
    bool closing = false;  // close once `out` is sent; read nothing more
};

ControlServer::ControlServer(wl_event_loop* loop, std::filesystem::path path, Handler handler)
    : loop_(loop), path_(std::move(path)), handler_(std::move(handler))
{
    listen_fd_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!listen_fd_) throw std::runtime_error(std::string("control socket: ") + std::strerror(errno));
    sockaddr_un addr = unix_address(path_);
    // A socket left by a crashed session is replaced; a live one is not.
    if (std::filesystem::exists(path_)) {
        UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        bool live = connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        if (live) {
            throw std::runtime_error("a ctopbroker session is already running (" + path_.string() + ")");
        }
        unlink(path_.c_str());
    }
    if (bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_.get(), 16) != 0) {
        int err = errno;
        throw std::runtime_error("cannot listen on " + path_.string() + ": " + std::strerror(err));
    }
    chmod(path_.c_str(), 0600);
    accept_watch_.watch(loop_, listen_fd_.get(), WL_EVENT_READABLE, [this](uint32_t) { accept_all(); });
}

ControlServer::~ControlServer()
{
    for (auto& [fd, conn] : connections_) {
        conn->watch.remove();
        conn->owned.reset();
        conn->open = false;
    }
    accept_watch_.remove();
    listen_fd_.reset();
    unlink(path_.c_str());
}

void ControlServer::accept_all()
{
    int fd;
    while ((fd = accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) accept_one(fd);
}

void ControlServer::accept_one(int fd)
{
    // Every connection costs up to a request line and an output buffer; past
    // the cap a new one is closed at once (logged once per crowd, not per try).
    if (connections_.size() >= control_limits::max_connections) {
        close(fd);
        if (!refusal_logged_)
            std::fprintf(stderr, "ctopbroker: control socket: refusing connections, %zu already open\n",
                         connections_.size());
        refusal_logged_ = true;
        return;
    }
    refusal_logged_ = false;
    auto conn = std::make_shared<Connection>();
    conn->fd = fd;
    conn->owned.reset(fd);
    conn->watch.watch(loop_, fd, WL_EVENT_READABLE, [this, fd](uint32_t mask) { on_event(fd, mask); });
    connections_[fd] = conn;
}

void ControlServer::on_event(int fd, uint32_t mask)
{
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    std::shared_ptr<Connection> conn = it->second;  // the handler may close it
    if (mask & WL_EVENT_WRITABLE) flush(*conn);
    if (conn->open && !conn->closing && (mask & WL_EVENT_READABLE)) read_requests(conn);
    // Gone both ways: nothing queued can be delivered any more.
    if (conn->open && (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR))) close_connection(fd);
}

void ControlServer::read_requests(const std::shared_ptr<Connection>& conn)
{
    char buf[65536];
    ssize_t n = recv(conn->fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {  // the peer is done sending: finish the replies already queued
        conn->closing = true;
        flush(*conn);
        return;
    }
    std::vector<std::string> lines;
    bool within_bound = conn->reader.feed({buf, static_cast<size_t>(n)}, lines);
    for (const std::string& line : lines) {
        if (!conn->open || conn->closing) return;
        std::weak_ptr<Connection> weak = conn;
        Reply reply = [this, weak](const nlohmann::json& response) {
            auto c = weak.lock();
            if (c && c->open) queue(*c, response.dump() + "\n");
        };
        if (auto request = parse_request(line)) handler_(*request, std::move(reply));
        else reply({{"ok", false}, {"error", "malformed request: expected a JSON object with a string field 'cmd'"}});
    }
    if (!within_bound && conn->open) {
        queue(*conn, R"({"ok":false,"error":"request too large"})"
                     "\n");
        conn->closing = true;
        if (conn->open) flush(*conn);
    }
}

void ControlServer::queue(Connection& conn, std::string text)
{
    if (conn.out.size() - conn.out_sent + text.size() > control_limits::max_output_bytes) {
        std::fprintf(stderr,
                     "ctopbroker: control socket: a client does not read its replies (%zu bytes waiting): "
                     "disconnected\n",
                     conn.out.size() - conn.out_sent);
        close_connection(conn.fd);
        return;
    }
    if (conn.out_sent > 0 && conn.out_sent == conn.out.size()) {
        conn.out.clear();
        conn.out_sent = 0;
    }
    conn.out += text;
    flush(conn);
}

// Sends what the socket takes now; the rest waits for WL_EVENT_WRITABLE.
void ControlServer::flush(Connection& conn)
{
    while (conn.out_sent < conn.out.size()) {
        ssize_t n = send(conn.fd, conn.out.data() + conn.out_sent, conn.out.size() - conn.out_sent,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) {
            close_connection(conn.fd);
            return;
        }
        conn.out_sent += static_cast<size_t>(n);
    }
    bool pending = conn.out_sent < conn.out.size();
    if (!pending && conn.closing) {
        close_connection(conn.fd);
        return;
    }
    if (!pending) {
        conn.out.clear();
        conn.out_sent = 0;
    }
    uint32_t mask = (conn.closing ? 0 : WL_EVENT_READABLE) | (pending ? WL_EVENT_WRITABLE : 0);
    conn.watch.update(mask);
}

void ControlServer::close_connection(int fd)
{
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    it->second->open = false;
    it->second->watch.remove();
    it->second->owned.reset();  // now: a new connection may get the same number
    connections_.erase(it);
}

}  // namespace ctop
