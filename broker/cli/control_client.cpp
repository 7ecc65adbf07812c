// The control socket, the CLI's half: one blocking request, one reply.
#include "control_client.hpp"

#include "unix_address.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

namespace ctop {
namespace {

// The CLI's side: its socket blocks, and waiting for the session is its job.
void write_all(int fd, const std::string& data)
{
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<size_t>(n);
    }
}

}  // namespace

nlohmann::json control_request(const std::filesystem::path& path, const nlohmann::json& request)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = unix_address(path);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        throw std::runtime_error("no ctopbroker session is running (" + path.string() +
                                 "): start one with `ctopbroker session`");
    }
    write_all(fd, request.dump() + "\n");
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
