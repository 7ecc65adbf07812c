// Accepting container clients on their own socket.
#include "container_socket.hpp"

#include "client_policy.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ctop {

ContainerSocket::ContainerSocket(wl_display* display, ClientPolicy& policy, std::string container,
                                 std::filesystem::path dir)
    : display_(display), policy_(policy), container_(std::move(container)), dir_(std::move(dir))
{
    auto fail = [&](const std::string& what) {
        int err = errno;
        if (fd_ >= 0) close(fd_);
        throw std::runtime_error("container '" + container_ + "': " + what + ": " + std::strerror(err));
    };
    std::filesystem::create_directories(dir_.parent_path());
    if (mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) fail("cannot create " + dir_.string());
    std::filesystem::remove(socket_path());  // left behind by an earlier session
    if (chmod(dir_.c_str(), 0755) != 0) fail("cannot chmod " + dir_.string());

    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) fail("socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = socket_path().string();
    if (path.size() >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        fail(path);
    }
    std::strcpy(addr.sun_path, path.c_str());
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("cannot bind " + path);
    if (chmod(path.c_str(), 0666) != 0) fail("cannot chmod " + path);
    if (listen(fd_, 128) != 0) fail("cannot listen on " + path);
    source_ = wl_event_loop_add_fd(wl_display_get_event_loop(display_), fd_, WL_EVENT_READABLE,
                                   &ContainerSocket::on_accept, this);
}

ContainerSocket::~ContainerSocket()
{
    if (source_) wl_event_source_remove(source_);
    if (fd_ >= 0) close(fd_);
    std::error_code ec;
    std::filesystem::remove(socket_path(), ec);
}

int ContainerSocket::on_accept(int, uint32_t, void* data)
{
    auto* self = static_cast<ContainerSocket*>(data);
    while (true) {
        int client_fd = accept4(self->fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client_fd < 0) break;
        wl_client* client = wl_client_create(self->display_, client_fd);
        if (!client) {
            close(client_fd);
            continue;
        }
        // Tagged before we return to the loop, so before the client's first
        // request (wl_display.get_registry) is read.
        if (!self->policy_.tag(client, self->container_)) {
            wl_client_destroy(client);  // nothing of it was dispatched yet
            continue;
        }
        ++self->accepted_;
        if (self->on_client) self->on_client();
    }
    return 0;
}

}  // namespace ctop
