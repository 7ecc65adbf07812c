// Reads a TOML file; a syntax error becomes "FILE:LINE: what is wrong".
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace ctop {

inline toml::table read_toml_file(const std::filesystem::path& file)
{
    try {
        return toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << file.string() << ":" << e.source().begin.line << ": " << e.description();
        throw std::runtime_error(msg.str());
    }
}

}  // namespace ctop
