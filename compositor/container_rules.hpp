// ContainerRules: what the compositor enforces for one container while it is
// admitted (Server::admit / Server::release), read from its policy by the
// session (broker/session/container_session.cpp).
#pragma once

#include "clipboard.hpp"
#include "color.hpp"

#include <optional>
#include <set>
#include <string>

namespace ctop {

struct ContainerRules {
    std::optional<Color> color;           // its frame and workspace; else one derived from its name
    std::set<std::string> extra_globals;  // unclassified globals it may bind (ClientPolicy)
    bool fullscreen = true;               // may its windows go fullscreen
    ClipboardRules clipboard;
};

}  // namespace ctop
