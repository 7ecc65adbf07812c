// Reading .desktop files (see desktop_apps.hpp).
#include "desktop_apps.hpp"

#include "text.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace ctop {

namespace {

constexpr size_t max_file_bytes = 64 * 1024;
constexpr size_t max_dir_entries = 4096;

std::string trim(std::string_view s)
{
    size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
    return a == std::string_view::npos ? std::string() : std::string(s.substr(a, b - a + 1));
}

// The spec's escapes in string values: \s \n \t \r \\.
std::string unescape(std::string_view value)
{
    std::string out;
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '\\' || i + 1 == value.size()) {
            out += value[i];
            continue;
        }
        char c = value[++i];
        out += c == 's' ? ' ' : c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
    }
    return out;
}

// Exec without its field codes (%f %U %i %c...); "%%" stays a '%'.
std::string without_field_codes(std::string_view exec)
{
    std::string out;
    for (size_t i = 0; i < exec.size(); ++i) {
        if (exec[i] != '%') {
            out += exec[i];
            continue;
        }
        if (i + 1 < exec.size() && exec[i + 1] == '%') out += '%';
        ++i;
    }
    return trim(out);
}

std::map<std::string, std::string> desktop_entry_group(std::string_view text)
{
    std::map<std::string, std::string> keys;
    std::istringstream in{std::string(text)};
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            if (inside) break;
            inside = line == "[Desktop Entry]";
            continue;
        }
        size_t eq = line.find('=');
        if (!inside || eq == std::string::npos) continue;
        std::string key = trim(std::string_view(line).substr(0, eq));
        if (key.find('[') != std::string::npos) continue;  // a translation
        keys.emplace(key, trim(std::string_view(line).substr(eq + 1)));
    }
    return keys;
}

std::string read_bounded(const std::filesystem::path& path)
{
    // O_NONBLOCK: a FIFO named like a .desktop file must not hang the agent.
    int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return {};
    struct stat st {};
    std::string text;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        text.resize(max_file_bytes);
        ssize_t n = read(fd, text.data(), text.size());
        text.resize(n > 0 ? static_cast<size_t>(n) : 0);
    }
    close(fd);
    return text;
}

}  // namespace

std::optional<DesktopApp> parse_desktop_entry(std::string_view text, std::string id)
{
    auto keys = desktop_entry_group(text);
    auto get = [&](const char* key) {
        auto it = keys.find(key);
        return it == keys.end() ? std::string() : it->second;
    };
    if (get("Type") != "Application" || get("NoDisplay") == "true" || get("Hidden") == "true") return std::nullopt;
    DesktopApp app;
    app.id = std::move(id);
    app.name = cut_utf8(unescape(get("Name")), max_app_name);
    app.exec = without_field_codes(unescape(get("Exec")));
    app.icon = unescape(get("Icon"));
    if (app.icon.size() > max_app_icon) app.icon.clear();
    // A cut command would run something else: such an app is left out.
    if (app.id.empty() || app.id.size() > max_app_id || app.name.empty() || app.exec.empty() ||
        app.exec.size() > max_app_exec || desktop_exec_argv(app.exec).empty())
        return std::nullopt;
    return app;
}

std::vector<std::string> desktop_exec_argv(std::string_view exec)
{
    std::vector<std::string> words;
    std::string word;
    bool in_word = false, quoted = false;
    for (size_t i = 0; i < exec.size(); ++i) {
        char c = exec[i];
        if (quoted) {
            if (c == '"') quoted = false;
            else if (c == '\\' && i + 1 < exec.size()) word += exec[++i];
            else word += c;
        } else if (c == '"') {
            quoted = in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quoted) return {};
    if (in_word) words.push_back(std::move(word));
    return words;
}

std::vector<DesktopApp> list_desktop_apps(const std::vector<std::filesystem::path>& dirs)
{
    std::map<std::string, DesktopApp> by_id;
    std::set<std::string> ids;  // a hidden entry in an earlier dir hides the id in later ones
    for (const auto& dir : dirs) {
        DIR* d = opendir(dir.c_str());
        if (!d) continue;
        size_t seen = 0;
        while (dirent* e = readdir(d)) {
            if (++seen > max_dir_entries || by_id.size() >= max_agent_apps) break;
            std::string file = e->d_name;
            constexpr std::string_view suffix = ".desktop";
            if (file.size() <= suffix.size() || file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
                continue;
            std::string id = file.substr(0, file.size() - suffix.size());
            if (!ids.insert(id).second || ids.size() > max_dir_entries) continue;
            if (auto app = parse_desktop_entry(read_bounded(dir / file), id)) by_id.emplace(id, std::move(*app));
        }
        closedir(d);
    }
    std::vector<DesktopApp> apps;
    for (auto& [id, app] : by_id) apps.push_back(std::move(app));
    std::sort(apps.begin(), apps.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return apps;
}

}  // namespace ctop
