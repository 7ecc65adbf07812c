// The address of a unix stream socket at a path, shared by the session's
// listening sockets and the CLI's client side.
#pragma once

#include <sys/un.h>

#include <filesystem>

namespace ctop {

// Throws when the path does not fit sun_path (the kernel would truncate it).
sockaddr_un unix_address(const std::filesystem::path& path);

}  // namespace ctop
