// Reading and writing container policies (TOML).
#include "policy.hpp"

#include "paths.hpp"
#include "color.hpp"

#include "toml_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace ctop {

std::optional<std::uint64_t> parse_size(const std::string& text)
{
    if (text.empty()) return std::nullopt;
    size_t idx = 0;
    std::uint64_t value;
    try {
        value = std::stoull(text, &idx);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    std::string unit = text.substr(idx);
    std::uint64_t mult = 1;
    if (unit == "" || unit == "B") mult = 1;
    else if (unit == "K" || unit == "KiB") mult = 1ull << 10;
    else if (unit == "M" || unit == "MiB") mult = 1ull << 20;
    else if (unit == "G" || unit == "GiB") mult = 1ull << 30;
    else return std::nullopt;
    return value * mult;
}

namespace {

[[noreturn]] void bad(const std::filesystem::path& file, const std::string& key, const std::string& why)
{
    throw std::runtime_error(file.string() + ": " + key + ": " + why);
}

std::optional<std::uint64_t> size_value(const toml::table& t, const char* key, const std::filesystem::path& file)
{
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (auto i = n->value_exact<int64_t>()) {  // value<>() would convert a float, past range too
        if (*i <= 0) bad(file, key, "must be positive");
        return static_cast<std::uint64_t>(*i);
    }
    if (auto s = n->value<std::string>()) {
        auto v = parse_size(*s);
        if (!v) bad(file, key, "expected a size like \"512M\" or \"2G\", got \"" + *s + "\"");
        if (*v == 0) bad(file, key, "must be positive");  // as for a number: saved, it would not load
        return v;
    }
    bad(file, key, "expected a size");
}

std::vector<std::string> string_list(const toml::table& t, const char* key, const std::filesystem::path& file)
{
    std::vector<std::string> out;
    const toml::array* arr = t[key].as_array();
    if (!arr) {
        if (t.contains(key)) bad(file, key, "expected a list of strings");
        return out;
    }
    for (const auto& el : *arr) {
        auto s = el.value<std::string>();
        if (!s) bad(file, key, "expected a list of strings");
        out.push_back(*s);
    }
    return out;
}

}  // namespace

ContainerPolicy ContainerPolicy::load(const std::string& name, const std::filesystem::path& file)
{
    toml::table t = read_toml_file(file);
    ContainerPolicy p;
    p.name = name;
    p.color = t["color"].value_or(std::string());
    if (!p.color.empty()) {
        try {
            Color::from_hex(p.color);
        } catch (const std::invalid_argument& e) {
            bad(file, "color", e.what());
        }
    }
    p.template_name = t["template"].value_or(p.template_name);
    if (p.template_name != "minimal" && p.template_name != "debian")
        bad(file, "template", "must be \"minimal\" or \"debian\"");
    p.network = t["network"].value_or(p.network);
    p.memory_bytes = size_value(t, "memory", file);
    if (auto pids = t["pids"].value_exact<int64_t>()) {
        if (*pids <= 0) bad(file, "pids", "must be positive");
        p.pids = static_cast<std::uint32_t>(*pids);
    }
    if (auto weight = t["cpu_weight"].value<int64_t>()) {
        if (*weight < 1 || *weight > 10000) bad(file, "cpu_weight", "must be between 1 and 10000");
        p.cpu_weight = static_cast<std::uint32_t>(*weight);
    }
    p.audio = t["audio"].value_or(p.audio);
    p.mic = t["mic"].value_or(p.mic);
    p.x11 = t["x11"].value_or(p.x11);
    p.fullscreen = t["fullscreen"].value_or(p.fullscreen);
    if (const toml::table* clip = t["clipboard"].as_table()) {
        p.clipboard_import = (*clip)["import"].value_or(p.clipboard_import);
        p.clipboard_export = (*clip)["export"].value_or(p.clipboard_export);
        if (auto max = size_value(*clip, "max_bytes", file)) p.clipboard_max_bytes = *max;
        if (clip->contains("mime")) p.clipboard_mime = string_list(*clip, "mime", file);
    }
    for (auto& g : string_list(t, "extra_globals", file)) p.extra_globals.insert(g);
    if (const toml::array* shares = t["share"].as_array()) {
        for (const auto& el : *shares) {
            const toml::table* s = el.as_table();
            if (!s) bad(file, "share", "expected [[share]] tables");
            Share share;
            share.host = (*s)["host"].value_or(std::string());
            share.path = (*s)["path"].value_or(std::string());
            share.read_only = (*s)["read_only"].value_or(true);
            if (!share.host.is_absolute() || share.path.empty() || share.path[0] != '/')
                bad(file, "share", "host and path must be absolute paths");
            p.shares.push_back(share);
        }
    }
    return p;
}

ContainerPolicy ContainerPolicy::load_or_default(const std::string& name, const std::filesystem::path& file)
{
    if (!std::filesystem::exists(file)) {
        ContainerPolicy p;
        p.name = name;
        return p;
    }
    return load(name, file);
}

std::string ContainerPolicy::to_toml() const
{
    toml::table t;
    if (!color.empty()) t.insert("color", color);
    t.insert("template", template_name);
    t.insert("network", network);
    if (memory_bytes) t.insert("memory", static_cast<int64_t>(*memory_bytes));
    if (pids) t.insert("pids", static_cast<int64_t>(*pids));
    if (cpu_weight) t.insert("cpu_weight", static_cast<int64_t>(*cpu_weight));
    t.insert("audio", audio);
    t.insert("mic", mic);
    t.insert("x11", x11);
    t.insert("fullscreen", fullscreen);
    toml::table clip;
    clip.insert("import", clipboard_import);
    clip.insert("export", clipboard_export);
    clip.insert("max_bytes", static_cast<int64_t>(clipboard_max_bytes));
    toml::array mime;
    for (const auto& m : clipboard_mime) mime.push_back(m);
    clip.insert("mime", mime);
    t.insert("clipboard", clip);
    toml::array globals;
    for (const auto& g : extra_globals) globals.push_back(g);
    t.insert("extra_globals", globals);
    toml::array share_list;
    for (const auto& s : shares)
        share_list.push_back(toml::table{{"host", s.host.string()}, {"path", s.path}, {"read_only", s.read_only}});
    if (!share_list.empty()) t.insert("share", share_list);
    std::ostringstream out;
    out << "# ctopbroker policy for container '" << name << "'\n" << t << "\n";
    return out.str();
}

DefaultLimits default_limits()
{
    DefaultLimits d;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    std::uint64_t ram = pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) : 0;
    d.memory_bytes = ram ? std::min<std::uint64_t>(4ull << 30, ram / 2) : 4ull << 30;
    return d;
}

void apply_default_limits(ContainerPolicy& policy)
{
    DefaultLimits d = default_limits();
    if (!policy.memory_bytes) policy.memory_bytes = d.memory_bytes;
    if (!policy.pids) policy.pids = d.pids;
    if (!policy.cpu_weight) policy.cpu_weight = d.cpu_weight;
}

void ContainerPolicy::save(const std::filesystem::path& file) const { paths::write_atomically(file, to_toml()); }

}  // namespace ctop
