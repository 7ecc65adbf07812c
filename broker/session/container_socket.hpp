// ContainerSocket: a container's private Wayland socket. The session listens
// on it itself and creates each client with wl_client_create(), tagging it
// with the container before it can bind a single global. The directory that
// holds it is bind-mounted into the container as its user's runtime dir.
#pragma once

#include "event_source.hpp"
#include "unique_fd.hpp"

#include <wayland-server-core.h>

#include <filesystem>
#include <functional>
#include <string>

namespace ctop {

class ClientPolicy;

class ContainerSocket {
public:
    // Creates dir/wayland-0 and starts accepting on `display`. The socket is
    // world-connectable (0666 in a 0755 dir): on the host it sits inside the
    // user's private runtime dir, so only the container it is mounted into
    // can reach it, whatever uid its apps run as (idmapped or not).
    ContainerSocket(wl_display* display, ClientPolicy& policy, std::string container,
                    std::filesystem::path dir);  // throws
    ~ContainerSocket();
    ContainerSocket(const ContainerSocket&) = delete;
    ContainerSocket& operator=(const ContainerSocket&) = delete;

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path socket_path() const { return dir_ / "wayland-0"; }
    int clients_accepted() const { return accepted_; }
    // Called after each new client is created and tagged.
    std::function<void()> on_client;

private:
    void accept_clients();

    wl_display* display_;
    ClientPolicy& policy_;
    std::string container_;
    std::filesystem::path dir_;
    UniqueFd fd_;
    FdWatch watch_;
    int accepted_ = 0;
};

}  // namespace ctop
