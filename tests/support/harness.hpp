// Test harness: starts a real `ctopbroker session --headless --test-input` in
// a private XDG_RUNTIME_DIR, runs real clients against it, talks to its
// control socket and reads pixels from real screenshots (grim).
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ctop::test {

struct Image {
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;  // row-major, 4 bytes a pixel
    struct Pixel {
        int r, g, b;
    };
    Pixel at(int x, int y) const;
    static Image load_png(const std::filesystem::path& path);  // throws
};

// "#rrggbb" → Pixel
Image::Pixel pixel_from_hex(const std::string& hex);
bool near(Image::Pixel a, Image::Pixel b, int tolerance = 2);

// Waits until `pred` holds, polling; false on timeout.
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The path of a program in PATH, or empty.
std::string which(const std::string& program);

// The unprivileged test user: a normal account made by the harness
// (useradd -m), given what `sudo ctopbroker setup --user` gives. With
// CTOPBROKER_TEST_USER set (to its name), every Session runs the session, the
// CLI and the clients as that user, as a login would: its own runtime
// directory (0700, as logind's /run/user/UID), HOME, USER.
struct TestUser {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
};
// The user CTOPBROKER_TEST_USER names, made and set up on first use; nullptr
// when the tests run as root.
const TestUser* test_user();

class Session {
public:
    // config_toml, when given, is the session's config.toml; config_files are
    // more files in its $XDG_CONFIG_HOME/ctopbroker (relative path → content),
    // there before it starts (containers/NAME.toml for its autostart).
    explicit Session(std::vector<std::string> extra_args = {}, const std::string& config_toml = "",
                     const std::map<std::string, std::string>& config_files = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const std::filesystem::path& runtime_dir() const { return runtime_dir_; }
    // The session's log (its stderr, and its helpers') so far.
    std::string log() const;
    std::string wayland_display() const { return wayland_display_; }
    std::string host_socket() const { return (runtime_dir_ / wayland_display_).string(); }

    // One control request; the whole reply.
    nlohmann::json ctl(const nlohmann::json& request) const;
    // Runs `ctopbroker ARGS...` against this session; returns exit status, fills output.
    int cli(const std::vector<std::string>& args, std::string* out = nullptr, std::string* err = nullptr) const;

    // Starts a client with the session's environment plus `env` (NAME=VALUE);
    // WAYLAND_DISPLAY defaults to the host socket. Killed in the destructor.
    pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
    // Runs a program to completion; returns its exit status and stdout.
    int run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
            std::string* out = nullptr);
    void kill_client(pid_t pid);
    int wait_client(pid_t pid);  // exit status
    bool alive() const;
    pid_t pid() const { return pid_; }  // the session process (compositor and broker)

    nlohmann::json views() const { return ctl({{"cmd", "views"}})["views"]; }
    nlohmann::json status() const { return ctl({{"cmd", "status"}}); }
    // Waits until `count` views exist in workspace `ws`.
    bool wait_views(const std::string& ws, size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(15));
    Image screenshot(const std::string& name = "shot");
    std::string key(const std::string& combo);  // "" on success, else the error
    // `ctopbroker type TEXT` and the test pointer, `ctopbroker pointer move X Y | click [BUTTON] |
    // scroll DY | drag X1 Y1 X2 Y2`, through the CLI: "" on success, else its error output.
    std::string type(const std::string& text) const;
    std::string pointer(const std::vector<std::string>& args) const;
    std::string move_pointer(int x, int y) const { return pointer({"move", std::to_string(x), std::to_string(y)}); }
    std::string click(const std::string& button = "left") const { return pointer({"click", button}); }
    std::string drag(int x1, int y1, int x2, int y2) const
    {
        return pointer({"drag", std::to_string(x1), std::to_string(y1), std::to_string(x2), std::to_string(y2)});
    }

private:
    std::vector<std::string> environment(const std::map<std::string, std::string>& extra) const;

    std::filesystem::path runtime_dir_;
    std::string wayland_display_;
    pid_t pid_ = -1;
    std::vector<pid_t> clients_;
};

}  // namespace ctop::test
