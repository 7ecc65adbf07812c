// The host's identity. Wherever a container name says whose something is (a
// client, a view, a workspace, a clipboard, a JSON reply), the host's is
// "host": a name `ctopbroker create` refuses, so no container can pass for
// the host, and no empty string has to mean it.
#pragma once

#include <string>
#include <string_view>

namespace ctop {

inline const std::string host_identity = "host";

inline bool is_host(std::string_view owner)
{
    return owner == host_identity;
}

}  // namespace ctop
