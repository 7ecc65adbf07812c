// ctopbroker-session: the compositor session, run as `ctopbroker session`.
#include "cgroup_delegation.hpp"
#include "paths.hpp"
#include "session.hpp"
#include "session_config.hpp"

#include <CLI/CLI.hpp>

#include <pwd.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

namespace {

int run_session(const std::string& backend, bool test_input, int width, int height, int refresh)
{
    ctop::ServerOptions options;
    if (backend == "headless") options.backend = ctop::BackendKind::Headless;
    else if (backend == "nested") options.backend = ctop::BackendKind::Nested;
    else if (backend == "drm") options.backend = ctop::BackendKind::Drm;
    options.test_input = test_input;
    options.headless_width = width;
    options.headless_height = height;
    options.headless_refresh_hz = refresh;
    wlr_log_init(std::getenv("CTOPBROKER_DEBUG") ? WLR_DEBUG : WLR_INFO, nullptr);
    // Clipboard transfers write into pipes whose readers live in containers (and
    // wlroots' X window manager does too): a reader closing early is EPIPE, never
    // a signal that ends the session. Children get the default back (child_process).
    signal(SIGPIPE, SIG_IGN);
    // A normal user's containers get their cgroups below the session's: join
    // the subtree `ctopbroker setup --user` delegated (no systemd user manager
    // did), before any thread or helper starts.
    if (geteuid() != 0)
        if (struct passwd* pw = getpwuid(geteuid()))
            for (const auto& failed : ctop::cgroups::join_delegated(pw->pw_name))
                wlr_log(WLR_ERROR,
                        "cannot join ctopbroker/%s on %s: containers may fail to start "
                        "(`ctopbroker doctor` says what to fix)",
                        pw->pw_name, failed.c_str());
    ctop::SessionConfig config = ctop::SessionConfig::load(ctop::paths::config_dir() / "config.toml");
    config.apply(options);
    ctop::Session session(options);
    session.apply_keybindings(config);
    session.autostart(config);
    return session.run();
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"ctopbroker session: the compositor (DRM from a TTY, nested in a running session, headless "
                 "otherwise)",
                 "ctopbroker session"};
    std::string backend = "auto";
    bool test_input = false;
    int width = 1280, height = 720, refresh = 60;
    app.add_option("--backend", backend, "auto, drm, nested or headless")
        ->check(CLI::IsMember({"auto", "drm", "nested", "headless"}));
    app.add_flag_callback(
        "--headless", [&] { backend = "headless"; }, "Same as --backend headless");
    app.add_flag("--test-input", test_input, "Add a virtual keyboard driven by `ctopbroker key` (for tests)");
    app.add_option("--size", width, "Headless output width")->check(CLI::Range(64, 8192));
    app.add_option("--height", height, "Headless output height")->check(CLI::Range(64, 8192));
    app.add_option("--refresh", refresh, "Headless output refresh rate, Hz")->check(CLI::Range(1, 10000));
    CLI11_PARSE(app, argc, argv);
    try {
        return run_session(backend, test_input, width, height, refresh);
    } catch (const std::exception& e) {
        std::cerr << "ctopbroker: " << e.what() << "\n";
        return 1;
    }
}
