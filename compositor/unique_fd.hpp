// UniqueFd: owns one file descriptor and closes it when it goes, so no error
// path (a throw, an early return) can leak one (LXC's __do_close, move_fd).
// Header-only and free of wlroots: the command-line tool and the helper
// processes use it too (their include path has this directory).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace ctop {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        if (this != &other) reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // Gives the descriptor up without closing it (to whoever takes it over).
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1)
    {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// Both ends of a pipe2(), owned; false (errno set) when it fails.
inline bool make_pipe(UniqueFd& read_end, UniqueFd& write_end, int flags)
{
    int fds[2];
    if (pipe2(fds, flags) != 0) return false;
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
    return true;
}

}  // namespace ctop
