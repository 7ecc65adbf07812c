// The launcher's lines, and fuzzel driven through fd watches.
#include "launcher.hpp"

#include "child_process.hpp"
#include "text.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

namespace ctop {

std::vector<std::string> launcher_lines(const std::vector<LauncherEntry>& entries)
{
    std::vector<std::string> lines;
    std::set<std::string> used;
    for (const auto& e : entries) {
        std::string base = sanitize_title(e.container, 64) + ": " + sanitize_title(e.name, max_launcher_name);
        // An app may be named like another's suffixed line ("Foo (2)"):
        // counting on until the line is free keeps every line unique.
        std::string line = base;
        for (int n = 2; used.count(line); ++n) line = base + " (" + std::to_string(n) + ")";
        used.insert(line);
        lines.push_back(std::move(line));
    }
    return lines;
}

int launcher_choice(const std::vector<std::string>& lines, std::string_view chosen)
{
    if (!chosen.empty() && chosen.back() == '\n') chosen.remove_suffix(1);
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i] == chosen) return static_cast<int>(i);
    return -1;
}

Launcher::Launcher(wl_event_loop* loop, std::vector<std::string> command) : loop_(loop), command_(std::move(command)) {}

Launcher::~Launcher()
{
    close();
}

void Launcher::open(std::vector<LauncherEntry> entries, Chosen chosen)
{
    close();
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("launcher: no pipe: " + std::string(strerror(errno)));
    if (pipe2(out, O_CLOEXEC) != 0) {
        ::close(in[0]);
        ::close(in[1]);
        throw std::runtime_error("launcher: no pipe: " + std::string(strerror(errno)));
    }
    try {
        pid_ = start_child(command_, in[0], out[1]);
    } catch (const std::runtime_error& e) {
        for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
        throw std::runtime_error(std::string(e.what()) + " (the launcher; install it: apt install fuzzel)");
    }
    ::close(in[0]);
    ::close(out[1]);
    to_launcher_ = in[1];
    from_launcher_ = out[0];
    fcntl(to_launcher_, F_SETFL, O_NONBLOCK);
    fcntl(from_launcher_, F_SETFL, O_NONBLOCK);

    entries_ = std::move(entries);
    chosen_ = std::move(chosen);
    lines_ = launcher_lines(entries_);
    to_write_.clear();
    for (const auto& line : lines_) to_write_ += line + "\n";
    written_ = 0;
    reply_.clear();
    // The list may be larger than a pipe holds: written as fuzzel reads it.
    write_source_ = wl_event_loop_add_fd(loop_, to_launcher_, WL_EVENT_WRITABLE, on_writable, this);
    read_source_ = wl_event_loop_add_fd(loop_, from_launcher_, WL_EVENT_READABLE, on_readable, this);
}

int Launcher::on_writable(int fd, uint32_t mask, void* data)
{
    auto* self = static_cast<Launcher*>(data);
    while (self->written_ < self->to_write_.size()) {
        ssize_t n = write(fd, self->to_write_.data() + self->written_, self->to_write_.size() - self->written_);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 0;
        if (n <= 0) break;  // it went away (EPIPE): its stdout says so too
        self->written_ += static_cast<size_t>(n);
    }
    self->stop_writing();  // end of the list: fuzzel shows it
    return 0;
}

int Launcher::on_readable(int fd, uint32_t mask, void* data)
{
    auto* self = static_cast<Launcher*>(data);
    char buf[1024];
    while (true) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN && !(mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR))) return 0;
        if (n <= 0) break;
        // More than any of our lines: not a choice; the rest is dropped.
        if (self->reply_.size() < max_launcher_reply + 1)
            self->reply_.append(buf, std::min<size_t>(n, max_launcher_reply + 1 - self->reply_.size()));
    }
    self->finish();
    return 0;
}

void Launcher::stop_writing()
{
    if (write_source_) wl_event_source_remove(write_source_);
    write_source_ = nullptr;
    if (to_launcher_ >= 0) ::close(to_launcher_);
    to_launcher_ = -1;
}

// fuzzel closed its stdout: it has exited (the session's SIGCHLD handler
// reaps it), printing the chosen line or nothing.
void Launcher::finish()
{
    int index = launcher_choice(lines_, reply_);
    std::vector<LauncherEntry> entries = std::move(entries_);
    Chosen chosen = std::move(chosen_);
    pid_ = -1;  // exiting or reaped: never signalled again (its pid may be reused)
    close();
    if (index >= 0 && chosen) chosen(entries[static_cast<size_t>(index)]);
}

void Launcher::close()
{
    stop_writing();
    if (read_source_) wl_event_source_remove(read_source_);
    read_source_ = nullptr;
    if (from_launcher_ >= 0) ::close(from_launcher_);
    from_launcher_ = -1;
    if (pid_ > 0) kill(pid_, SIGTERM);  // not yet reaped: its stdout is still open
    pid_ = -1;
    entries_.clear();
    lines_.clear();
    chosen_ = nullptr;
}

}  // namespace ctop
