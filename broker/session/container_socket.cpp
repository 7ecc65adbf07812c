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
        throw std::runtime_error("container '" + container_ + "': " + what + ": " + std::strerror(err));
    };
    std::filesystem::create_directories(dir_.parent_path());
    if (mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) fail("cannot create " + dir_.string());
    std::filesystem::remove(socket_path());  // left behind by an earlier session
    if (chmod(dir_.c_str(), 0755) != 0) fail("cannot chmod " + dir_.string());

    fd_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd_) fail("socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = socket_path().string();
    if (path.size() >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        fail(path);
    }
    std::strcpy(addr.sun_path, path.c_str());
    if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("cannot bind " + path);
    if (chmod(path.c_str(), 0666) != 0) fail("cannot chmod " + path);
    if (listen(fd_.get(), 128) != 0) fail("cannot listen on " + path);
    watch_.watch(wl_display_get_event_loop(display_), fd_.get(), WL_EVENT_READABLE,
                 [this](uint32_t) { accept_clients(); });
}

ContainerSocket::~ContainerSocket()
{
    watch_.remove();
    fd_.reset();
    std::error_code ec;
    std::filesystem::remove(socket_path(), ec);
}

void ContainerSocket::accept_clients()
{
    while (true) {
        int client_fd = accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (client_fd < 0) break;
        wl_client* client = wl_client_create(display_, client_fd);
        if (!client) {
            close(client_fd);
            continue;
        }
        // Tagged before we return to the loop, so before the client's first
        // request (wl_display.get_registry) is read.
        if (!policy_.tag(client, container_)) {
            wl_client_destroy(client);  // nothing of it was dispatched yet
            continue;
        }
        ++accepted_;
        if (on_client) on_client();
    }
}

}  // namespace ctop
