// ctopbroker: the commands (`ctopbroker session` hands over to
// ctopbroker-session; the session's helpers are ctopbroker-helper). None of it
// links wlroots.
// The commands that talk
// to it over the control socket.
#include "container_commands.hpp"
#include "control_client.hpp"
#include "control_protocol.hpp"
#include "network.hpp"
#include "paths.hpp"
#include "color.hpp"
#include "doctor.hpp"
#include "setup.hpp"
#include "text.hpp"
#include "worker.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace {
using nlohmann::json;
namespace control = ctop::control;

// What the session reports about windows is the containers' text: printed
// sanitised, so no control sequence ever reaches the user's terminal.
std::string shown(const json& value)
{
    return ctop::sanitize_title(value.get<std::string>());
}

// Sends one request; prints the error and returns false when it failed.
bool request(const json& req, json* reply_out = nullptr)
{
    json reply = ctop::control_request(ctop::paths::control_socket(), req);
    if (!reply.value("ok", false)) {
        std::cerr << "ctopbroker: " << reply.value("error", std::string("the session refused the request")) << "\n";
        return false;
    }
    if (reply_out) *reply_out = reply;
    return true;
}

void print_status(const json& s)
{
    std::printf("session on WAYLAND_DISPLAY=%s (%s backend)\n", s["wayland_display"].get<std::string>().c_str(),
                s["backend"].get<std::string>().c_str());
    for (const auto& ws : s["workspaces"])
        std::printf("%s %d  %-20s %s  %d window(s)\n", ws["current"].get<bool>() ? "*" : " ", ws["slot"].get<int>(),
                    shown(ws["name"]).c_str(), shown(ws["color"]).c_str(), ws["views"].get<int>());
}

void print_views(const json& v)
{
    for (const auto& view : v["views"])
        std::printf("%s %-16s %-24s %-20s %dx%d+%d+%d\n", view["focused"].get<bool>() ? "*" : " ",
                    shown(view["workspace"]).c_str(), shown(view["title"]).c_str(), shown(view["app_id"]).c_str(),
                    view["width"].get<int>(), view["height"].get<int>(), view["x"].get<int>(), view["y"].get<int>());
}

void print_audio(const json& a)
{
    std::string name = a.value("container", std::string("?"));
    std::printf("%s: microphone %s\n", name.c_str(), a.value("mic", false) ? "granted" : "denied");
    if (!a.value("running", false)) {
        std::printf("%s: not running (no audio route)\n", name.c_str());
        return;
    }
    std::printf("%s: volume %d%%%s, host node %s\n", name.c_str(), static_cast<int>(a.value("volume", 1.0) * 100 + 0.5),
                a.value("mute", false) ? " (muted)" : "",
                a["host_node"].is_null() ? "-" : std::to_string(a["host_node"].get<long>()).c_str());
    for (const char* key : {"playing", "recording"})
        for (const auto& stream : a.value(key, json::array()))
            std::printf("%s: %s %s\n", name.c_str(), key, stream.get<std::string>().c_str());
}

}  // namespace

// `ctopbroker session ARGS...` becomes `ctopbroker-session ARGS...`, same pid.
int exec_session(int argc, char** argv)
{
    std::string session = ctop::paths::companion_binary("ctopbroker-session").string();
    std::vector<char*> args{session.data()};
    for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
    args.push_back(nullptr);
    execv(session.c_str(), args.data());
    std::cerr << "ctopbroker: cannot run " << session << ": " << std::strerror(errno) << "\n";
    return 1;
}

int main(int argc, char** argv)
{
    if (argc >= 2 && std::string(argv[1]) == "session") return exec_session(argc, argv);

    CLI::App app{"ctopbroker: run each LXC container's apps behind its own Wayland socket, clipboard and audio"};
    app.require_subcommand(1);
    bool as_json = false;

    // The compositor is a program of its own (it alone links wlroots), so that
    // every other command starts quickly: `session` is handed over to it.
    app.add_subcommand("session", "Run the compositor session (DRM from a TTY, nested in a running session, "
                                  "headless otherwise); `ctopbroker session --help` for its options")
        ->allow_extras();

    auto* status = app.add_subcommand("status", "Show the session's workspaces");
    status->add_flag("--json", as_json, "Print the raw JSON reply");
    auto* views = app.add_subcommand("views", "List the windows and their containers");
    views->add_flag("--json", as_json, "Print the raw JSON reply");

    auto* workspace = app.add_subcommand("workspace", "Switch to a workspace by slot number or name");
    std::string ws_target;
    workspace->add_option("target", ws_target, "Slot (1-9) or name")->required();

    auto* key = app.add_subcommand("key", "Press a key combo on the session's test keyboard (session --test-input)");
    std::string combo;
    key->add_option("combo", combo, "e.g. Super+2, Super+Shift+c, Return")->required();
    auto* type = app.add_subcommand("type", "Type text (any Unicode) on the session's test keyboard");
    std::string text;
    type->add_option("text", text, "Text to type")->required();

    // The test pointer: absolute layout coordinates.
    auto* pointer = app.add_subcommand("pointer", "Drive the session's test pointer (session --test-input)");
    pointer->require_subcommand(1);
    double px[4] = {0, 0, 0, 0};
    std::string button = "left";
    int scroll_dy = 0;
    auto* p_move = pointer->add_subcommand("move", "Move the pointer to X Y");
    p_move->add_option("x", px[0])->required();
    p_move->add_option("y", px[1])->required();
    auto* p_click = pointer->add_subcommand("click", "Press and release a button where the pointer is");
    p_click->add_option("button", button, "left (default), right or middle")
        ->check(CLI::IsMember({"left", "right", "middle"}));
    auto* p_scroll = pointer->add_subcommand("scroll", "Turn the wheel DY steps (positive: down)");
    p_scroll->add_option("dy", scroll_dy)->required()->check(CLI::Range(-100, 100));
    auto* p_drag = pointer->add_subcommand("drag", "Press the left button at X1 Y1, move to X2 Y2, release");
    p_drag->add_option("x1", px[0])->required();
    p_drag->add_option("y1", px[1])->required();
    p_drag->add_option("x2", px[2])->required();
    p_drag->add_option("y2", px[3])->required();
    std::string hold, drag_button = "left";
    p_drag->add_option("--button", drag_button, "left (default), right or middle")
        ->check(CLI::IsMember({"left", "right", "middle"}));
    p_drag->add_option("--hold", hold, "Modifiers held during the drag, e.g. Super");

    auto* socket = app.add_subcommand("socket", "Create (or show) a private Wayland socket tagged NAME, for "
                                                "sandboxes other than LXC; prints its path");
    std::string socket_name;
    socket->add_option("name", socket_name, "Tag and workspace name")->required();

    auto* clipboard = app.add_subcommand("clipboard", "Show the broker's clipboard buffer and which containers "
                                                      "have a selection");
    clipboard->add_flag("--json", as_json, "Print the raw JSON reply");

    auto* apps = app.add_subcommand("apps", "List the applications of container NAME (default: every container "
                                            "that ran in this session), from its .desktop files");
    std::string apps_of;
    apps->add_option("name", apps_of, "Container name");
    apps->add_flag("--json", as_json, "Print the raw JSON reply");

    auto* notify = app.add_subcommand("notify", "Show a notice on screen");
    std::string message;
    notify->add_option("message", message)->required();
    auto* quit = app.add_subcommand("quit", "End the session");

    // Containers.
    std::string name;
    std::vector<std::string> command;
    auto* spawn = app.add_subcommand("spawn", "Start container NAME if needed and run CMD in it (default: foot) "
                                              "with its own Wayland socket, in its own workspace");
    spawn->add_option("name", name, "Container name")->required();
    spawn->add_option("command", command, "Command to run inside (after --)");
    bool desktop = false;
    spawn->add_flag("--desktop", desktop, "Run the container's desktop (policy key `desktop`) filling its workspace")
        ->excludes(spawn->get_option("command"));
    auto* stop = app.add_subcommand("stop", "Stop container NAME; its windows close");
    stop->add_option("name", name, "Container name")->required();

    auto* create = app.add_subcommand("create", "Create container NAME and its policy");
    ctop::CreateOptions create_opts;
    // Each value goes through the validator `set` uses: one rule for both.
    std::string memory, pids, cpu_weight, color, desktop_cmd;
    std::vector<std::string> shares;
    create->add_option("name", create_opts.policy.name, "Container name")->required();
    create->add_option("--desktop", desktop_cmd,
                       "Its desktop, a command line (e.g. startxfce4) that "
                       "`spawn NAME --desktop` runs filling its workspace");
    create
        ->add_option("--template", create_opts.policy.template_name,
                     "minimal (offline: busybox + host /usr read-only) or debian (debootstrap)")
        ->check(CLI::IsMember({"minimal", "debian"}));
    create->add_option("--memory", memory, "Memory limit, e.g. 2G, 1.5g, 512M (default: half the RAM, at most 4G)");
    create->add_option("--pids", pids, "Process limit (default 4096)");
    create->add_option("--cpu-weight", cpu_weight,
                       "CPU weight, 1-10000; the session's processes weigh 100 (default 50)");
    std::string network_mode = "internet";
    create->add_option("--network", network_mode,
                       "none (loopback only), internet (default: NAT out; no LAN, host or other container) "
                       "or lan (internet plus the local network)");
    create->add_flag("--mic", create_opts.policy.mic, "Allow the microphone");
    create->add_option("--color", color, "Border colour, #rrggbb");
    create->add_option("--share", shares, "Host directory to share, HOST:PATH[:rw] (read-only by default)");
    create->add_flag("--privileged", create_opts.privileged,
                     "No user namespace: the container's root is the "
                     "host's root (default: unprivileged; needs "
                     "`ctopbroker setup`)");

    auto* set = app.add_subcommand("set", "Change container NAME's policy, e.g. memory=2G pids=2048 network=none "
                                          "mic=false (keys: `ctopbroker get NAME`); applied at its next start");
    std::vector<std::string> assignments;
    set->add_option("name", name, "Container name")->required();
    set->add_option("assignments", assignments, "KEY=VALUE")->required();
    auto* get = app.add_subcommand("get", "Show container NAME's policy (every key, or one)");
    std::string get_key;
    get->add_option("name", name, "Container name")->required();
    get->add_option("key", get_key, "One key, e.g. memory");
    auto* network = app.add_subcommand("network", "Show container NAME's network mode, address and firewall rules");
    network->add_option("name", name, "Container name")->required();
    auto* setup = app.add_subcommand("setup", "As root (idempotent; prints what it changed): subordinate ids and a "
                                              "reachable lxcpath for each USER (default root), and, once per boot, "
                                              "the bridges, firewall rules and dnsmasq the containers' networks need");
    std::vector<std::string> setup_users;
    setup->add_option("--user", setup_users,
                      "The user whose session runs the containers (default: root); also lets "
                      "USER's unprivileged containers attach (lxc-user-nic)");
    bool setup_boot = false;
    setup
        ->add_flag("--boot", setup_boot,
                   "Only what a reboot removed (cgroup subtrees, /tmp/.X11-unix, bridges, "
                   "firewall, dnsmasq), for every user setup ran for; "
                   "ctopbroker-setup.service runs it at boot")
        ->excludes("--user");
    std::vector<std::string> remove_users;
    setup->add_option("--remove-user", remove_users,
                      "Undo `setup --user USER` (its cgroup subtrees, lxc-usernet lines "
                      "and firewall ports), e.g. before userdel; leaves its home, "
                      "containers and subordinate ids");

    auto* doctor = app.add_subcommand("doctor", "Check, as this user, everything the session and its unprivileged "
                                                "containers need; prints the fix for each problem");

    auto* destroy = app.add_subcommand("destroy", "Delete stopped container NAME and its policy");
    bool force = false;
    destroy->add_option("name", name, "Container name")->required();
    destroy->add_flag("--force", force, "Also when it runs (stopped first) or has snapshots (destroyed with it)");

    std::string second;
    auto* snapshot = app.add_subcommand("snapshot", "Take a snapshot of stopped container NAME (a copy of its files "
                                                    "and its policy), optionally labelled SNAP");
    snapshot->add_option("name", name, "Container name")->required();
    snapshot->add_option("snap", second, "A label for it (a-z, 0-9, '-')");
    auto* snapshots = app.add_subcommand("snapshots", "List container NAME's snapshots");
    snapshots->add_option("name", name, "Container name")->required();
    snapshots->add_flag("--json", as_json, "Print JSON");
    auto* restore = app.add_subcommand("restore", "Put stopped container NAME back as it was at snapshot SNAP "
                                                  "(files and policy); its snapshots stay");
    restore->add_option("name", name, "Container name")->required();
    restore->add_option("snap", second, "Snapshot name (snap0, ...) or label")->required();
    auto* clone = app.add_subcommand("clone", "Copy stopped container SRC to a new container DST (files and policy; "
                                              "a colour of its own)");
    clone->add_option("src", name, "Container to copy")->required();
    clone->add_option("dst", second, "Name of the copy")->required();
    auto* export_cmd = app.add_subcommand("export", "Write stopped container NAME and its policy to FILE (.tar.zst)");
    export_cmd->add_option("name", name, "Container name")->required();
    export_cmd->add_option("file", second, "Archive to write (never overwritten)")->required();
    auto* import_cmd = app.add_subcommand("import", "Make a container from an exported FILE, named NAME (default: "
                                                    "the name it was exported under)");
    import_cmd->add_option("file", second, "Archive from `ctopbroker export`")->required();
    import_cmd->add_option("name", name, "Container name");
    auto* copy = app.add_subcommand("copy", "Copy a file or directory from running container SRC into running "
                                            "container DST's ~/Incoming/SRC/ (never over existing files)");
    copy->add_option("src", name, "SRC:PATH (PATH relative to /home/user, or absolute)")->required();
    copy->add_option("dst", second, "Destination container")->required();
    auto* rename = app.add_subcommand("rename", "Rename stopped container OLD to NEW (its policy follows)");
    rename->add_option("old", name, "Container name")->required();
    rename->add_option("new", second, "New name")->required();
    auto* list = app.add_subcommand("list", "List containers, their state and windows");
    list->add_flag("--json", as_json, "Print JSON");
    auto* exec = app.add_subcommand("exec", "Run CMD in running container NAME with this terminal, and wait");
    bool exec_root = false;
    exec->add_option("name", name, "Container name")->required();
    exec->add_option("command", command, "Command (after --)")->required();
    exec->add_flag("--root", exec_root, "Run as the container's root instead of its user");

    auto* audio = app.add_subcommand("audio", "Show or change container NAME's audio: volume, mute, microphone");
    bool mute = false, unmute = false, allow_mic = false, deny_mic = false;
    int volume = -1;
    audio->add_option("name", name, "Container name")->required();
    auto* mute_flag = audio->add_flag("--mute", mute, "Silence the container on the host");
    audio->add_flag("--unmute", unmute, "Undo --mute")->excludes(mute_flag);
    audio->add_option("--volume", volume, "Its volume on the host, in percent (0-150)")->check(CLI::Range(0, 150));
    auto* allow_flag = audio->add_flag("--allow-mic", allow_mic, "Grant it the microphone (saved in its policy)");
    audio->add_flag("--deny-mic", deny_mic, "Take the microphone away (saved in its policy)")->excludes(allow_flag);
    audio->add_flag("--json", as_json, "Print the raw JSON reply");

    CLI11_PARSE(app, argc, argv);

    try {
        json reply;
        if (*status) {
            if (!request(control::request("status"), &reply)) return 1;
            as_json ? (void)std::printf("%s\n", reply.dump(2).c_str()) : print_status(reply);
        } else if (*views) {
            if (!request(control::request("views"), &reply)) return 1;
            as_json ? (void)std::printf("%s\n", reply.dump(2).c_str()) : print_views(reply);
        } else if (*workspace) {
            bool numeric = !ws_target.empty() && ws_target.find_first_not_of("0123456789") == std::string::npos;
            json req = numeric ? control::request(control::Workspace{std::stoi(ws_target), ""})
                               : control::request(control::Workspace{std::nullopt, ws_target});
            if (!request(req)) return 1;
        } else if (*key) {
            if (!request(control::request(control::Key{combo}))) return 1;
        } else if (*type) {
            if (!request(control::request(control::Type{text}))) return 1;
        } else if (*pointer) {
            using Action = control::Pointer::Action;
            control::Pointer p;
            auto button_of = [](const std::string& name) {
                return name == "right"    ? control::Pointer::Button::right
                       : name == "middle" ? control::Pointer::Button::middle
                                          : control::Pointer::Button::left;
            };
            if (*p_move) p = {Action::move, {}, px[0], px[1]};
            if (*p_click) p = {Action::click, button_of(button)};
            if (*p_scroll) p = {Action::scroll, {}, 0, 0, 0, 0, scroll_dy};
            if (*p_drag) {
                p = {Action::drag, button_of(drag_button), px[0], px[1], px[2], px[3]};
                if (!hold.empty()) p.hold = control::modifier_names(hold);
            }
            if (!request(control::request(p))) return 1;
        } else if (*socket) {
            if (!request(control::request(control::Socket{socket_name}), &reply)) return 1;
            std::printf("%s\n", reply["socket"].get<std::string>().c_str());
        } else if (*apps) {
            if (!request(control::request(control::Apps{apps_of}), &reply)) return 1;
            if (as_json) {
                std::printf("%s\n", reply.dump(2).c_str());
            } else {
                // The names and commands came from inside the containers: the
                // session made them printable.
                for (const auto& [container, list] : reply["apps"].items())
                    for (const auto& a : list)
                        std::printf("%s: %s\t%s\n", container.c_str(), a["name"].get<std::string>().c_str(),
                                    a["exec"].get<std::string>().c_str());
                for (const auto& [container, why] : reply["errors"].items())
                    std::fprintf(stderr, "ctopbroker: %s: %s\n", container.c_str(), why.get<std::string>().c_str());
            }
        } else if (*clipboard) {
            if (!request(control::request("clipboard"), &reply)) return 1;
            if (as_json) {
                std::printf("%s\n", reply.dump(2).c_str());
            } else {
                if (reply["buffer"].is_null()) std::printf("broker buffer: empty\n");
                else
                    std::printf("broker buffer: %llu bytes of %s from %s\n",
                                reply["buffer"]["bytes"].get<unsigned long long>(),
                                reply["buffer"]["mime"].get<std::string>().c_str(),
                                reply["buffer"]["from"].get<std::string>().c_str());
                for (const auto& [container, mimes] : reply["selections"].items())
                    std::printf("%-20s has a selection (%zu types)\n", container.c_str(), mimes.size());
            }
        } else if (*notify) {
            if (!request(control::request(control::Notify{message}))) return 1;
        } else if (*quit) {
            if (!request(control::request("quit"))) return 1;
        } else if (*spawn) {
            if (command.empty()) command = {"foot"};
            // The CLI's idea of where containers live is the one that counts:
            // `create` used it too.
            // A desktop's command is the policy's (what `get` shows), read by the session.
            control::Spawn spawn_req{name, ctop::paths::lxcpath().string(), command, {}, desktop};
            if (!request(control::request(spawn_req), &reply)) return 1;
            std::printf("%s: %s%s in workspace %d\n", name.c_str(), desktop ? "desktop" : command[0].c_str(),
                        reply.contains("pid")
                            ? (" (pid " + std::to_string(reply["pid"].get<int>()) +
                               (reply.value("pid_namespace", "") == "container" ? " inside" : "") + ")")
                                  .c_str()
                            : "",
                        reply.value("workspace", 0));
            if (reply.value("restarted", false))
                std::fprintf(stderr,
                             "ctopbroker: %s was left running by a session that ended: restarted it for this "
                             "one\n",
                             name.c_str());
            if (reply.contains("audio_error"))
                std::fprintf(stderr, "ctopbroker: %s has no audio: %s\n", name.c_str(),
                             reply["audio_error"].get<std::string>().c_str());
        } else if (*audio) {
            control::Audio change{name};
            if (mute || unmute) change.mute = mute;
            if (volume >= 0) change.volume = volume / 100.0;
            if (allow_mic || deny_mic) change.mic = allow_mic;
            json req = control::request(change);
            if (!request(req, &reply)) return 1;
            as_json ? (void)std::printf("%s\n", reply.dump(2).c_str()) : print_audio(reply["state"]);
        } else if (*stop) {
            if (!ctop::session_status_or_empty().empty())
                return request(control::request(control::Stop{name, ctop::paths::lxcpath().string()})) ? 0 : 1;
            json r =
                ctop::worker_handle({{"op", "stop"}, {"name", name}, {"lxcpath", ctop::paths::lxcpath().string()}});
            if (!r.value("ok", false)) {
                std::cerr << "ctopbroker: " << r.value("error", std::string("stop failed")) << "\n";
                return 1;
            }
        } else if (*create) {
            // The flags are policy keys: the same checks as `set` (4g, 1.5G, pids >= 8, ...).
            std::vector<std::pair<std::string, std::string>> flags = {{"memory", memory},
                                                                      {"pids", pids},
                                                                      {"cpu_weight", cpu_weight},
                                                                      {"network", network_mode},
                                                                      {"desktop", desktop_cmd}};
            for (const auto& [key, value] : flags) {
                if (value.empty()) continue;
                try {
                    ctop::set_policy_value(create_opts.policy, key, value);
                } catch (const std::invalid_argument& e) {
                    std::string flag = key == "cpu_weight" ? "cpu-weight" : key;
                    std::cerr << "ctopbroker: --" << flag << std::string(e.what()).substr(key.size()) << "\n";
                    return 2;
                }
            }
            create_opts.policy.color = color;  // checked with the rest by create_container
            for (const auto& s : shares) {
                try {
                    create_opts.policy.shares.push_back(ctop::parse_share(s));
                } catch (const std::invalid_argument& e) {
                    std::cerr << "ctopbroker: --share: " << e.what() << "\n";
                    return 2;
                }
            }
            return ctop::create_container(create_opts);
        } else if (*set) {
            return ctop::set_policy(name, assignments);
        } else if (*get) {
            return ctop::get_policy(name, get_key);
        } else if (*network) {
            return ctop::show_container_network(name);
        } else if (*setup && !remove_users.empty()) {
            if (!setup_users.empty()) {
                std::cerr << "ctopbroker setup: --user and --remove-user go in separate runs\n";
                return 2;
            }
            for (const auto& user : remove_users)
                if (int rc = ctop::run_remove_user(user); rc != 0) return rc;
            return ctop::net::remove_user_network(remove_users);
        } else if (*setup) {
            if (setup_boot) return ctop::run_boot_setup();
            for (const auto& user : setup_users.empty() ? std::vector<std::string>{"root"} : setup_users)
                if (int rc = ctop::run_setup(user); rc != 0) return rc;
            return ctop::net::setup_network(setup_users);
        } else if (*destroy) {
            return ctop::destroy_container(name, force);
        } else if (*snapshot) {
            return ctop::snapshot_container(name, second);
        } else if (*snapshots) {
            return ctop::list_snapshots(name, as_json);
        } else if (*restore) {
            return ctop::restore_container(name, second);
        } else if (*clone) {
            return ctop::clone_container(name, second);
        } else if (*export_cmd) {
            return ctop::export_container(name, second);
        } else if (*import_cmd) {
            return ctop::import_container(second, name);
        } else if (*copy) {
            return ctop::copy_between(name, second);
        } else if (*rename) {
            return ctop::rename_container(name, second);
        } else if (*doctor) {
            return ctop::run_doctor();
        } else if (*list) {
            return ctop::list_containers(as_json);
        } else if (*exec) {
            return ctop::exec_in_container(name, command, exec_root);
        }
    } catch (const CLI::Error& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::cerr << "ctopbroker: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
