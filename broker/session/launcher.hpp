// Launcher: what Super+D opens. A real launcher, fuzzel in dmenu mode, runs
// as a host client (a layer surface that takes the keyboard) and is fed one
// line per app, "container: App" for each container's apps and "host: App"
// for the host's. The session never waits for it: the list is written and
// the choice read through fd watches on the event loop.
//
// App names come from inside containers, so they are hostile: each line is
// made one printable, bounded line (sanitize_title) before fuzzel sees it,
// and what fuzzel prints back is only ever compared, as a whole line, with
// the lines we wrote: the entry is found by that match, never by parsing
// container-provided text into a container name or a command.
#pragma once

#include <wayland-server-core.h>

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace ctop {

struct LauncherEntry {
    std::string container;  // host_identity for a host app
    std::string name;       // as the container or the host's .desktop file says (raw)
    std::vector<std::string> argv;
};

// The longest app name shown, in code points (longer ones end in "…").
inline constexpr size_t max_launcher_name = 80;
// What fuzzel may print back before it is ignored (a choice is one of our lines).
inline constexpr size_t max_launcher_reply = 4096;

// The line shown for each entry, in order: "container: App" ("host: App"),
// printable and on one line. Two entries that would read the same get
// " (2)", " (3)"... so a line names exactly one entry.
std::vector<std::string> launcher_lines(const std::vector<LauncherEntry>& entries);
// The entry whose line is `chosen` (fuzzel's output, newline included or
// not); -1 when it is none of them (typed text, nothing chosen).
int launcher_choice(const std::vector<std::string>& lines, std::string_view chosen);

class Launcher {
public:
    using Chosen = std::function<void(const LauncherEntry& entry)>;

    // `command`: the launcher's argv (fuzzel --dmenu ...).
    Launcher(wl_event_loop* loop, std::vector<std::string> command);
    ~Launcher();
    Launcher(const Launcher&) = delete;
    Launcher& operator=(const Launcher&) = delete;

    bool running() const { return pid_ > 0; }
    // Starts the launcher listing `entries`; `chosen` runs once the user
    // picks one (never when they dismiss it). Throws std::runtime_error when
    // the launcher cannot start (fuzzel not installed).
    void open(std::vector<LauncherEntry> entries, Chosen chosen);
    // Ends a running launcher (Super+D again): nothing is chosen.
    void close();

private:
    static int on_writable(int fd, uint32_t mask, void* data);
    static int on_readable(int fd, uint32_t mask, void* data);
    void stop_writing();
    void finish();

    wl_event_loop* loop_;
    std::vector<std::string> command_;
    pid_t pid_ = -1;
    int to_launcher_ = -1, from_launcher_ = -1;
    wl_event_source* write_source_ = nullptr;
    wl_event_source* read_source_ = nullptr;
    std::string to_write_;
    size_t written_ = 0;
    std::string reply_;
    std::vector<LauncherEntry> entries_;
    std::vector<std::string> lines_;
    Chosen chosen_;
};

}  // namespace ctop
