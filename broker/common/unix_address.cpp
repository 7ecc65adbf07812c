#include "unix_address.hpp"

#include <sys/socket.h>

#include <cstring>
#include <stdexcept>

namespace ctop {

sockaddr_un unix_address(const std::filesystem::path& path)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof addr.sun_path)
        throw std::runtime_error("socket path too long: " + path.string());
    std::strcpy(addr.sun_path, path.c_str());
    return addr;
}

}  // namespace ctop
