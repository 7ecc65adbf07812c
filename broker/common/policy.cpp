// Reading and writing container policies (TOML).
#include "policy.hpp"

#include "paths.hpp"
#include "color.hpp"

#include "toml_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>

namespace ctop {

std::optional<std::uint64_t> parse_size(const std::string& text)
{
    // Digits, an optional fraction, then an optional unit: no sign, no spaces
    // ("-1G" is not a size).
    auto digits_from = [&](size_t i) {
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        return i;
    };
    size_t idx = digits_from(0);
    if (idx == 0 || idx > 19) return std::nullopt;
    const std::uint64_t whole = std::stoull(text.substr(0, idx));
    std::string fraction;
    if (idx < text.size() && text[idx] == '.') {
        size_t end = digits_from(idx + 1);
        fraction = text.substr(idx + 1, end - idx - 1);
        if (fraction.empty() || fraction.size() > 9) return std::nullopt;
        idx = end;
    }
    std::string unit = text.substr(idx);
    std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
    int shift = -1;
    for (auto [prefix, bits] : {std::pair{"", 0}, {"k", 10}, {"m", 20}, {"g", 30}, {"t", 40}})
        for (std::string suffix : {"", "b", "ib"})
            if (unit == prefix + suffix && !(bits == 0 && suffix == "ib")) shift = bits;
    if (shift < 0) return std::nullopt;
    if (!fraction.empty() && shift == 0) return std::nullopt;  // no fractions of a byte
    unsigned __int128 bytes = static_cast<unsigned __int128>(whole) << shift;
    if (!fraction.empty()) {
        unsigned __int128 scale = 1;
        for (size_t i = 0; i < fraction.size(); ++i) scale *= 10;
        bytes += (static_cast<unsigned __int128>(std::stoull(fraction)) << shift) / scale;
    }
    if (bytes > UINT64_MAX) return std::nullopt;
    return static_cast<std::uint64_t>(bytes);
}

std::string size_text(std::uint64_t bytes)
{
    for (auto [unit, shift] : {std::pair{"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}})
        if (bytes && bytes % (1ull << shift) == 0) return std::to_string(bytes >> shift) + unit;
    return std::to_string(bytes);
}

Share parse_share(const std::string& spec)
{
    Share share;
    auto first = spec.find(':');
    if (first == std::string::npos) throw std::invalid_argument("expected HOST:PATH[:rw], got " + spec);
    share.host = spec.substr(0, first);
    std::string rest = spec.substr(first + 1);
    auto second = rest.find(':');
    share.path = rest.substr(0, second);
    if (second != std::string::npos) {
        std::string mode = rest.substr(second + 1);
        if (mode != "rw" && mode != "ro") throw std::invalid_argument("mode must be ro or rw: " + spec);
        share.read_only = mode == "ro";
    }
    if (!share.host.is_absolute() || share.path.empty() || share.path[0] != '/')
        throw std::invalid_argument("both paths must be absolute: " + spec);
    return share;
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
        return PolicyProblem{"memory", "must be between 64M and 64T (the container needs room to start)"};
    if (pids && (*pids < min_pids || *pids > max_pids))
        return PolicyProblem{"pids",
                             "must be between " + std::to_string(min_pids) + " and " + std::to_string(max_pids)};
    if (cpu_weight && (*cpu_weight < 1 || *cpu_weight > 10000))
        return PolicyProblem{"cpu_weight", "must be between 1 and 10000"};
    if (clipboard_max_bytes < 1 || clipboard_max_bytes > max_clipboard_bytes)
        return PolicyProblem{"clipboard.max_bytes", "must be between 1 byte and 1G"};
    if (incoming_max_bytes < 1 || incoming_max_bytes > max_memory_bytes)
        return PolicyProblem{"incoming_max_bytes", "must be between 1 byte and 64T"};
    // Run by sh inside the container: any text is fine there, but a NUL or a
    // newline in a one-line setting is a mistake, and a length bound keeps
    // `get` and the spawn request small.
    if (desktop.size() > max_desktop_bytes)
        return PolicyProblem{"desktop", "longer than " + std::to_string(max_desktop_bytes) + " bytes"};
    if (std::any_of(desktop.begin(), desktop.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        return PolicyProblem{"desktop", "one command line without control characters (newlines, tabs)"};
    if (clipboard_mime.size() > 64) return PolicyProblem{"clipboard.mime", "at most 64 types"};
    for (const auto& m : clipboard_mime)
        if (m.empty() || m.size() > 255 ||
            std::any_of(m.begin(), m.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == '"'; }))
            return PolicyProblem{"clipboard.mime", "each type is 1-255 printable characters without spaces"};
    if (extra_globals.size() > 64) return PolicyProblem{"extra_globals", "at most 64 interfaces"};
    for (const auto& g : extra_globals)
        if (g.empty() || g.size() > 64 ||
            g.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
            return PolicyProblem{"extra_globals", "interface names are 1-64 of a-z, 0-9 and '_'"};
    for (const auto& sh : shares)
        if (!sh.host.is_absolute() || sh.path.empty() || sh.path[0] != '/')
            return PolicyProblem{"share", "host and path must be absolute paths"};
    if (usb.size() > 64) return PolicyProblem{"usb", "at most 64 devices"};
    for (const auto& id : usb)
        if (id.size() != 9 || id[4] != ':' ||
            id.substr(0, 4).find_first_not_of("0123456789abcdefABCDEF") != std::string::npos ||
            id.substr(5).find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            return PolicyProblem{"usb", "each device is VENDOR:PRODUCT in hex, like \"046d:0825\" (see lsusb)"};
    if (devices.size() > 64) return PolicyProblem{"devices", "at most 64 devices"};
    for (const auto& d : devices) {
        std::filesystem::path p(d);
        bool below_dev = d.starts_with("/dev/") && d.size() < 256 && p.lexically_normal() == p &&
                         d.find("/..") == std::string::npos && d.find_first_of(" \t\n\\") == std::string::npos;
        if (!below_dev) return PolicyProblem{"devices", "each is a plain path below /dev/, like \"/dev/ttyUSB0\""};
    }
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

[[maybe_unused]] [[noreturn]] void bad(const std::filesystem::path& file, const std::string& key,
                                       const std::string& why)
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
            "desktop", "clipboard", "extra_globals", "share", "gpu", "camera", "usb", "devices", "incoming_max_bytes"});
    ContainerPolicy p;
    p.name = name;
    r.string("color", p.color);
    r.string("template", p.template_name);
    if (const toml::node* n = t.get("network")) {
        // Policies written before the modes said true or false.
        if (auto on = n->value_exact<bool>()) p.network = *on ? net::Mode::Internet : net::Mode::None;
        else if (auto mode = net::parse_mode(n->value_exact<std::string>().value_or(""))) p.network = *mode;
        else r.bad_at("network", std::string("must be ") + net::modes_text);
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
    r.string("desktop", p.desktop);
    if (auto max = r.size("incoming_max_bytes")) p.incoming_max_bytes = *max;
    r.boolean("gpu", p.gpu);
    r.boolean("camera", p.camera);
    p.usb = r.strings("usb");
    p.devices = r.strings("devices");
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
    if (!desktop.empty()) t.insert("desktop", desktop);
    t.insert("incoming_max_bytes", static_cast<int64_t>(incoming_max_bytes));
    t.insert("gpu", gpu);
    t.insert("camera", camera);
    toml::array usb_list, device_list;
    for (const auto& u : usb) usb_list.push_back(u);
    for (const auto& d : devices) device_list.push_back(d);
    t.insert("usb", usb_list);
    t.insert("devices", device_list);
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
    std::uint64_t ram =
        pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) : 0;
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

namespace {

[[noreturn]] void refuse(const std::string& key, const std::string& why)
{
    throw std::invalid_argument(key + ": " + why);
}

bool boolean_value(const std::string& key, const std::string& text)
{
    if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
    if (text == "false" || text == "no" || text == "off" || text == "0") return false;
    refuse(key, "expected true or false, got '" + text.substr(0, 40) + "'");
}

// "a, b,c" → {"a", "b", "c"}; "" → {}.
std::vector<std::string> list_value(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        auto first = item.find_first_not_of(' '), last = item.find_last_not_of(' ');
        if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
    }
    return out;
}

std::string list_text(const auto& items)
{
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + std::string(item);
    return out;
}

// "none" (no limit) or what `parse` makes of it.
template <typename T>
std::optional<T> limit_value(const std::string& key, const std::string& text,
                             std::optional<T> (*parse)(const std::string&), const char* example)
{
    if (text == "none") return std::nullopt;
    if (auto v = parse(text)) return v;
    refuse(key, "expected " + std::string(example) + " or none (no limit), got '" + text.substr(0, 40) + "'");
}

std::optional<std::uint32_t> parse_count(const std::string& text)
{
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return static_cast<std::uint32_t>(std::stoul(text));
}

struct KeyAccess {
    std::function<std::string(const ContainerPolicy&)> get;
    std::function<void(ContainerPolicy&, const std::string&)> set;
};

KeyAccess flag(bool ContainerPolicy::*member, const std::string& key)
{
    return {[member](const ContainerPolicy& p) { return std::string(p.*member ? "true" : "false"); },
            [member, key](ContainerPolicy& p, const std::string& v) { p.*member = boolean_value(key, v); }};
}

const std::vector<std::pair<std::string, KeyAccess>>& key_table()
{
    static const std::vector<std::pair<std::string, KeyAccess>> table = {
        {"color",
         {[](const ContainerPolicy& p) { return p.color; },
          [](ContainerPolicy& p, const std::string& v) { p.color = v; }}},
        {"template",
         {[](const ContainerPolicy& p) { return p.template_name; },
          [](ContainerPolicy&, const std::string&) {
              refuse("template", "is how the container was built and cannot change: clone or create "
                                 "another container instead");
          }}},
        {"network",
         {[](const ContainerPolicy& p) { return std::string(net::to_string(p.network)); },
          [](ContainerPolicy& p, const std::string& v) {
              auto mode = net::parse_mode(v);
              if (!mode) refuse("network", "unknown mode '" + v.substr(0, 40) + "': use " + net::modes_text);
              p.network = *mode;
          }}},
        {"memory",
         {[](const ContainerPolicy& p) { return p.memory_bytes ? size_text(*p.memory_bytes) : "none"; },
          [](ContainerPolicy& p, const std::string& v) {
              p.memory_bytes = limit_value<std::uint64_t>("memory", v, parse_size, "a size like 512M, 4G or 1.5G");
          }}},
        {"pids",
         {[](const ContainerPolicy& p) { return p.pids ? std::to_string(*p.pids) : "none"; },
          [](ContainerPolicy& p, const std::string& v) {
              p.pids = limit_value<std::uint32_t>("pids", v, parse_count, "a number of processes");
          }}},
        {"cpu_weight",
         {[](const ContainerPolicy& p) { return p.cpu_weight ? std::to_string(*p.cpu_weight) : "none"; },
          [](ContainerPolicy& p, const std::string& v) {
              p.cpu_weight = limit_value<std::uint32_t>("cpu_weight", v, parse_count, "1-10000");
          }}},
        {"audio", flag(&ContainerPolicy::audio, "audio")},
        {"mic", flag(&ContainerPolicy::mic, "mic")},
        {"x11", flag(&ContainerPolicy::x11, "x11")},
        {"fullscreen", flag(&ContainerPolicy::fullscreen, "fullscreen")},
        {"desktop",
         {[](const ContainerPolicy& p) { return p.desktop; },
          [](ContainerPolicy& p, const std::string& v) { p.desktop = v; }}},
        {"incoming_max_bytes",
         {[](const ContainerPolicy& p) { return size_text(p.incoming_max_bytes); },
          [](ContainerPolicy& p, const std::string& v) {
              auto size = parse_size(v);
              if (!size) refuse("incoming_max_bytes", "expected a size like 1G, got '" + v.substr(0, 40) + "'");
              p.incoming_max_bytes = *size;
          }}},
        {"gpu", flag(&ContainerPolicy::gpu, "gpu")},
        {"camera", flag(&ContainerPolicy::camera, "camera")},
        {"usb",
         {[](const ContainerPolicy& p) { return list_text(p.usb); },
          [](ContainerPolicy& p, const std::string& v) { p.usb = list_value(v); }}},
        {"devices",
         {[](const ContainerPolicy& p) { return list_text(p.devices); },
          [](ContainerPolicy& p, const std::string& v) { p.devices = list_value(v); }}},
        {"clipboard.import", flag(&ContainerPolicy::clipboard_import, "clipboard.import")},
        {"clipboard.export", flag(&ContainerPolicy::clipboard_export, "clipboard.export")},
        {"clipboard.max_bytes",
         {[](const ContainerPolicy& p) { return size_text(p.clipboard_max_bytes); },
          [](ContainerPolicy& p, const std::string& v) {
              auto size = parse_size(v);
              if (!size) refuse("clipboard.max_bytes", "expected a size like 64M, got '" + v.substr(0, 40) + "'");
              p.clipboard_max_bytes = *size;
          }}},
        {"clipboard.mime",
         {[](const ContainerPolicy& p) { return list_text(p.clipboard_mime); },
          [](ContainerPolicy& p, const std::string& v) { p.clipboard_mime = list_value(v); }}},
        {"extra_globals",
         {[](const ContainerPolicy& p) { return list_text(p.extra_globals); },
          [](ContainerPolicy& p, const std::string& v) {
              auto items = list_value(v);
              p.extra_globals = {items.begin(), items.end()};
          }}},
        {"share",
         {[](const ContainerPolicy& p) {
              std::vector<std::string> specs;
              for (const auto& s : p.shares)
                  specs.push_back(s.host.string() + ":" + s.path + (s.read_only ? "" : ":rw"));
              return list_text(specs);
          },
          [](ContainerPolicy& p, const std::string& v) {
              std::vector<Share> shares;
              for (const auto& spec : list_value(v)) {
                  try {
                      shares.push_back(parse_share(spec));
                  } catch (const std::invalid_argument& e) {
                      refuse("share", e.what());
                  }
              }
              p.shares = shares;
          }}},
    };
    return table;
}

const KeyAccess& access(const std::string& key)
{
    for (const auto& [k, a] : key_table())
        if (k == key) return a;
    refuse(key.substr(0, 64), "unknown key (known: " + list_text(policy_keys()) + ")");
}

}  // namespace

const std::vector<std::string>& policy_keys()
{
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const auto& [k, _] : key_table()) out.push_back(k);
        return out;
    }();
    return keys;
}

void set_policy_value(ContainerPolicy& policy, const std::string& key, const std::string& value)
{
    ContainerPolicy changed = policy;
    access(key).set(changed, value);
    // The same ranges a load checks: `set` never writes what spawn would refuse.
    if (auto problem = changed.check()) refuse(problem->key, problem->why);
    policy = changed;
}

std::string policy_value(const ContainerPolicy& policy, const std::string& key)
{
    return access(key).get(policy);
}

void ContainerPolicy::save(const std::filesystem::path& file) const
{
    paths::write_atomically(file, to_toml());
}

}  // namespace ctop
