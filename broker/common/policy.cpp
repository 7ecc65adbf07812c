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
    // Digits, then an optional unit: no sign, no spaces ("-1G" is not a size).
    size_t idx = 0;
    while (idx < text.size() && text[idx] >= '0' && text[idx] <= '9') ++idx;
    if (idx == 0 || idx > 19) return std::nullopt;
    std::uint64_t value = std::stoull(text.substr(0, idx));
    std::string unit = text.substr(idx);
    std::uint64_t mult = 1;
    if (unit == "" || unit == "B") mult = 1;
    else if (unit == "K" || unit == "KiB") mult = 1ull << 10;
    else if (unit == "M" || unit == "MiB") mult = 1ull << 20;
    else if (unit == "G" || unit == "GiB") mult = 1ull << 30;
    else if (unit == "T" || unit == "TiB") mult = 1ull << 40;
    else return std::nullopt;
    if (value > UINT64_MAX / mult) return std::nullopt;
    return value * mult;
}

std::optional<PolicyProblem> ContainerPolicy::check() const
{
    if (!color.empty()) {
        try {
            Color::from_hex(color);
        } catch (const std::invalid_argument& e) {
            return PolicyProblem{"color", e.what()};
        }
    }
    if (template_name != "minimal" && template_name != "debian")
        return PolicyProblem{"template", "must be \"minimal\" or \"debian\""};
    if (memory_bytes && (*memory_bytes < min_memory_bytes || *memory_bytes > max_memory_bytes))
        return PolicyProblem{"memory", "must be between 16M and 64T (the container needs room to start)"};
    if (pids && (*pids < min_pids || *pids > max_pids))
        return PolicyProblem{"pids", "must be between " + std::to_string(min_pids) + " and " + std::to_string(max_pids)};
    if (cpu_weight && (*cpu_weight < 1 || *cpu_weight > 10000))
        return PolicyProblem{"cpu_weight", "must be between 1 and 10000"};
    if (clipboard_max_bytes < 1 || clipboard_max_bytes > max_clipboard_bytes)
        return PolicyProblem{"clipboard.max_bytes", "must be between 1 byte and 1G"};
    if (clipboard_mime.size() > 64) return PolicyProblem{"clipboard.mime", "at most 64 types"};
    for (const auto& m : clipboard_mime)
        if (m.empty() || m.size() > 255 ||
            std::any_of(m.begin(), m.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == '"'; }))
            return PolicyProblem{"clipboard.mime", "each type is 1-255 printable characters without spaces"};
    if (extra_globals.size() > 64) return PolicyProblem{"extra_globals", "at most 64 interfaces"};
    for (const auto& g : extra_globals)
        if (g.empty() || g.size() > 64 || g.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
            return PolicyProblem{"extra_globals", "interface names are 1-64 of a-z, 0-9 and '_'"};
    for (const auto& sh : shares)
        if (!sh.host.is_absolute() || sh.path.empty() || sh.path[0] != '/')
            return PolicyProblem{"share", "host and path must be absolute paths"};
    return std::nullopt;
}

namespace {

// "FILE:LINE: KEY: why" when the node is known, else "FILE: KEY: why".
[[noreturn]] void bad(const std::filesystem::path& file, const toml::node* n, const std::string& key,
                      const std::string& why)
{
    std::string where = file.string();
    if (n && n->source().begin.line) where += ":" + std::to_string(n->source().begin.line);
    throw std::runtime_error(where + ": " + key + ": " + why);
}

[[maybe_unused]] [[noreturn]] void bad(const std::filesystem::path& file, const std::string& key, const std::string& why)
{
    bad(file, nullptr, key, why);
}

// Reads one policy table strictly: every key known, every value of its type.
class PolicyReader {
public:
    PolicyReader(const std::filesystem::path& file, const toml::table& t, std::string prefix = "")
        : file_(file), t_(t), prefix_(std::move(prefix))
    {
    }

    [[noreturn]] void bad_at(const char* key, const std::string& why) const
    {
        bad(file_, t_.get(key), prefix_ + key, why);
    }

    void only(std::initializer_list<std::string_view> keys) const
    {
        for (auto&& [key, node] : t_) {
            if (std::find(keys.begin(), keys.end(), key.str()) != keys.end()) continue;
            std::string known;
            for (auto k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
            bad(file_, &node, prefix_ + std::string(key.str()).substr(0, 64), "unknown key (known: " + known + ")");
        }
    }

    void boolean(const char* key, bool& out) const
    {
        if (const toml::node* n = t_.get(key)) {
            if (!n->is_boolean()) bad_at(key, "expected true or false");
            out = *n->value_exact<bool>();
        }
    }

    void string(const char* key, std::string& out) const
    {
        if (const toml::node* n = t_.get(key)) {
            if (!n->is_string()) bad_at(key, "expected a string");
            out = *n->value_exact<std::string>();
        }
    }

    std::optional<std::int64_t> integer(const char* key) const
    {
        const toml::node* n = t_.get(key);
        if (!n) return std::nullopt;
        if (!n->is_integer()) bad_at(key, "expected a whole number");
        return n->value_exact<std::int64_t>();
    }

    std::optional<std::uint64_t> size(const char* key) const
    {
        const toml::node* n = t_.get(key);
        if (!n) return std::nullopt;
        if (auto i = n->value_exact<std::int64_t>()) {
            if (*i <= 0) bad_at(key, "must be positive");
            return static_cast<std::uint64_t>(*i);
        }
        if (auto s = n->value_exact<std::string>()) {
            auto v = parse_size(*s);
            if (!v) bad_at(key, "expected a size like \"512M\" or \"2G\", got \"" + s->substr(0, 40) + "\"");
            if (*v == 0) bad_at(key, "must be positive");
            return v;
        }
        bad_at(key, "expected a size like \"512M\" or a number of bytes");
    }

    std::vector<std::string> strings(const char* key) const
    {
        std::vector<std::string> out;
        const toml::node* n = t_.get(key);
        if (!n) return out;
        const toml::array* arr = n->as_array();
        if (!arr) bad_at(key, "expected a list of strings");
        for (const auto& el : *arr) {
            auto s = el.value_exact<std::string>();
            if (!s) bad(file_, &el, prefix_ + key, "expected a list of strings");
            out.push_back(*s);
        }
        return out;
    }

private:
    const std::filesystem::path& file_;
    const toml::table& t_;
    std::string prefix_;
};

// A range problem found by ContainerPolicy::check, at the line of its key.
[[noreturn]] void bad_value(const std::filesystem::path& file, const toml::table& t, const PolicyProblem& p)
{
    bad(file, t.at_path(p.key).node(), p.key, p.why);
}

}  // namespace

ContainerPolicy ContainerPolicy::load(const std::string& name, const std::filesystem::path& file)
{
    toml::table t = read_toml_file(file);
    PolicyReader r(file, t);
    r.only({"color", "template", "network", "memory", "pids", "cpu_weight", "audio", "mic", "x11", "fullscreen",
            "clipboard", "extra_globals", "share"});
    ContainerPolicy p;
    p.name = name;
    r.string("color", p.color);
    r.string("template", p.template_name);
    if (const toml::node* n = t.get("network")) {
        // Policies written before the modes said true or false.
        if (auto on = n->value_exact<bool>()) p.network = *on ? net::Mode::Internet : net::Mode::None;
        else if (auto mode = net::parse_mode(n->value_exact<std::string>().value_or("")))
            p.network = *mode;
        else
            r.bad_at("network", std::string("must be ") + net::modes_text);
    }
    p.memory_bytes = r.size("memory");
    if (auto pids = r.integer("pids")) {
        if (*pids < min_pids || *pids > max_pids)
            r.bad_at("pids", "must be between " + std::to_string(min_pids) + " and " + std::to_string(max_pids));
        p.pids = static_cast<std::uint32_t>(*pids);
    }
    if (auto weight = r.integer("cpu_weight")) {
        if (*weight < 1 || *weight > 10000) r.bad_at("cpu_weight", "must be between 1 and 10000");
        p.cpu_weight = static_cast<std::uint32_t>(*weight);
    }
    r.boolean("audio", p.audio);
    r.boolean("mic", p.mic);
    r.boolean("x11", p.x11);
    r.boolean("fullscreen", p.fullscreen);
    if (const toml::node* n = t.get("clipboard")) {
        const toml::table* clip = n->as_table();
        if (!clip) r.bad_at("clipboard", "expected a [clipboard] table");
        PolicyReader c(file, *clip, "clipboard.");
        c.only({"import", "export", "max_bytes", "mime"});
        c.boolean("import", p.clipboard_import);
        c.boolean("export", p.clipboard_export);
        if (auto max = c.size("max_bytes")) p.clipboard_max_bytes = *max;
        if (clip->contains("mime")) p.clipboard_mime = c.strings("mime");
    }
    for (auto& g : r.strings("extra_globals")) p.extra_globals.insert(g);
    if (const toml::node* n = t.get("share")) {
        const toml::array* shares = n->as_array();
        if (!shares) r.bad_at("share", "expected [[share]] tables");
        for (const auto& el : *shares) {
            const toml::table* s = el.as_table();
            if (!s) bad(file, &el, "share", "expected [[share]] tables");
            PolicyReader sr(file, *s, "share.");
            sr.only({"host", "path", "read_only"});
            Share share;
            std::string host;
            sr.string("host", host);
            sr.string("path", share.path);
            share.host = host;
            sr.boolean("read_only", share.read_only);
            if (!share.host.is_absolute() || share.path.empty() || share.path[0] != '/')
                bad(file, &el, "share", "host and path must be absolute paths");
            p.shares.push_back(share);
        }
    }
    if (auto problem = p.check()) bad_value(file, t, *problem);
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
    t.insert("network", std::string(net::to_string(network)));
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
