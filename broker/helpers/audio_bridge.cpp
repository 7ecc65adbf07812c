// The audio bridge process: two PipeWire connections and the policy between them.
#include "audio_bridge.hpp"

#include "audio_daemon.hpp"
#include "audio_ring.hpp"
#include "container_namespaces.hpp"
#include "unique_fd.hpp"

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <spa/param/props.h>
#include <spa/param/param.h>
#include <spa/pod/builder.h>

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace ctop {
namespace {
using nlohmann::json;

constexpr uint32_t rate = 48000;
// Enough for a few host quanta of jitter; more would only add latency.
constexpr size_t ring_frames = 8192;

void emit(const json& line)
{
    std::cout << line.dump() << "\n" << std::flush;
}

void log_event(const std::string& event, const std::string& message)
{
    emit({{"event", event}, {"message", message}});
}

// Stereo float at `rate`: interleaved (F32) for the bridge's own streams,
// planar (F32P) for the DSP ports it gives app streams.
const spa_pod* stereo_format(spa_pod_builder* b, uint32_t id, spa_audio_format format)
{
    spa_audio_info_raw info{};
    info.format = format;
    info.rate = rate;
    info.channels = 2;
    info.position[0] = SPA_AUDIO_CHANNEL_FL;
    info.position[1] = SPA_AUDIO_CHANNEL_FR;
    return spa_format_audio_raw_build(b, id, &info);
}

std::string prop(const spa_dict* props, const char* key)
{
    const char* v = props ? spa_dict_lookup(props, key) : nullptr;
    return v ? v : "";
}

uint32_t prop_id(const spa_dict* props, const char* key)
{
    std::string v = prop(props, key);
    return v.empty() ? SPA_ID_INVALID : static_cast<uint32_t>(std::stoul(v));
}

// One stream of the bridge, F32 stereo, with DSP ports from the start so it
// can be linked even where no session manager runs. On the host it is an
// ordinary app stream; in the container's daemon it is the sink (or the
// microphone) that apps see, with a format PulseAudio clients can list.
class BridgeStream {
public:
    using Process = std::function<void(float* frames, uint32_t count)>;

    BridgeStream(
        pw_core* core, pw_direction direction, pw_properties* props, Process process,
        std::function<void()> on_ready = [] {}, bool autoconnect = true)
        : direction_(direction), process_(std::move(process)), on_ready_(std::move(on_ready))
    {
        pw_properties_set(props, "adapter.auto-port-config", "{ mode = dsp monitor = false position = preserve }");
        const char* node = pw_properties_get(props, PW_KEY_NODE_NAME);
        std::string name = node ? node : "ctopbroker";
        stream_ = pw_stream_new(core, name.c_str(), props);
        static const pw_stream_events events = [] {
            pw_stream_events e{};
            e.version = PW_VERSION_STREAM_EVENTS;
            e.process = [](void* data) { static_cast<BridgeStream*>(data)->on_process(); };
            e.state_changed = [](void* data, pw_stream_state, pw_stream_state state, const char*) {
                auto* self = static_cast<BridgeStream*>(data);
                if (state == PW_STREAM_STATE_PAUSED || state == PW_STREAM_STATE_STREAMING) self->on_ready_();
            };
            return e;
        }();
        pw_stream_add_listener(stream_, &hook_, &events, this);
        uint8_t buf[1024];
        spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof buf);
        const spa_pod* params[1] = {stereo_format(&b, SPA_PARAM_EnumFormat, SPA_AUDIO_FORMAT_F32)};
        auto flags = static_cast<pw_stream_flags>((autoconnect ? PW_STREAM_FLAG_AUTOCONNECT : 0) |
                                                  PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS);
        if (pw_stream_connect(stream_, direction, PW_ID_ANY, flags, params, 1) < 0)
            throw std::runtime_error("cannot create PipeWire stream " + name);
    }
    ~BridgeStream()
    {
        spa_hook_remove(&hook_);
        pw_stream_destroy(stream_);
    }
    BridgeStream(const BridgeStream&) = delete;
    BridgeStream& operator=(const BridgeStream&) = delete;

    uint32_t node_id() const { return pw_stream_get_node_id(stream_); }
    void set_volume(float volume, bool mute)
    {
        float volumes[2] = {volume, volume};
        float muted = mute ? 1.0f : 0.0f;
        pw_stream_set_control(stream_, SPA_PROP_channelVolumes, 2, volumes, SPA_PROP_mute, 1, &muted, 0);
    }

private:
    void on_process()
    {
        pw_buffer* b = pw_stream_dequeue_buffer(stream_);
        if (!b) return;
        spa_data& d = b->buffer->datas[0];
        if (!d.data) {
            pw_stream_queue_buffer(stream_, b);
            return;
        }
        constexpr uint32_t stride = 2 * sizeof(float);
        uint32_t frames;
        if (direction_ == PW_DIRECTION_OUTPUT) {
            frames = d.maxsize / stride;
            if (b->requested) frames = std::min<uint32_t>(frames, static_cast<uint32_t>(b->requested));
            d.chunk->offset = 0;
            d.chunk->stride = stride;
            d.chunk->size = frames * stride;
        } else {
            frames = std::min(d.chunk->size, d.maxsize) / stride;
        }
        process_(static_cast<float*>(d.data), frames);
        pw_stream_queue_buffer(stream_, b);
    }

    pw_direction direction_;
    pw_stream* stream_ = nullptr;
    spa_hook hook_{};
    Process process_;
    std::function<void()> on_ready_;
};

struct Settings {
    std::string container;
    int host_fd = -1;       // connected to the host's daemon
    int container_fd = -1;  // connected to the container's daemon
    bool mic = false;
    float volume = 1.0f;
    bool mute = false;
};

// Both connections, the nodes on each side and the container's graph policy.
class Bridge {
public:
    explicit Bridge(Settings settings);
    ~Bridge();
    int run();

private:
    struct AppNode {
        uint32_t client = SPA_ID_INVALID;
        std::string name;
        bool capture = false;
        pw_proxy* proxy = nullptr;
    };
    struct Port {
        uint32_t node = SPA_ID_INVALID;
        bool output = false;
        std::string channel;
    };

    static void on_core_error(void* data, uint32_t id, int seq, int res, const char* message);
    static void on_global(void* data, uint32_t id, uint32_t permissions, const char* type, uint32_t version,
                          const spa_dict* props);
    static void on_global_remove(void* data, uint32_t id);
    void configure_app(uint32_t id, AppNode& app);
    void deny_capture(uint32_t id, const AppNode& app);
    void relink();
    void link(uint32_t out_node, uint32_t out_port, uint32_t in_node, uint32_t in_port);
    void set_mic(bool granted);
    void handle_line(const std::string& line);
    json state() const;

    Settings settings_;
    pw_main_loop* loop_ = nullptr;
    pw_context* context_ = nullptr;
    pw_core* host_ = nullptr;
    pw_core* inside_ = nullptr;
    spa_hook host_hook_{}, inside_hook_{}, registry_hook_{};
    pw_registry* registry_ = nullptr;
    spa_source* stdin_source_ = nullptr;
    std::string stdin_buffer_;

    AudioRing playback_ring_{ring_frames};
    AudioRing mic_ring_{ring_frames};
    std::unique_ptr<BridgeStream> sink_;
    std::unique_ptr<BridgeStream> host_playback_;
    std::unique_ptr<BridgeStream> mic_source_;
    std::unique_ptr<BridgeStream> host_capture_;

    std::map<uint32_t, AppNode> apps_;
    std::map<uint32_t, Port> ports_;
    std::map<std::pair<uint32_t, uint32_t>, pw_proxy*> links_;
    int exit_code_ = 0;
};

Bridge::Bridge(Settings settings) : settings_(std::move(settings))
{
    loop_ = pw_main_loop_new(nullptr);
    context_ = pw_context_new(pw_main_loop_get_loop(loop_), nullptr, 0);
    if (!loop_ || !context_) throw std::runtime_error("cannot set up PipeWire");
    // Both sockets were connected before the bridge gave up its privileges
    // (audio_bridge_main); PipeWire only speaks over them.
    host_ = pw_context_connect_fd(context_, settings_.host_fd, nullptr, 0);
    if (!host_) throw std::runtime_error(std::string("cannot talk to the host's PipeWire: ") + std::strerror(errno));
    inside_ = pw_context_connect_fd(context_, settings_.container_fd, nullptr, 0);
    if (!inside_)
        throw std::runtime_error(std::string("cannot talk to the container's PipeWire: ") + std::strerror(errno));

    static const pw_core_events core_events = [] {
        pw_core_events e{};
        e.version = PW_VERSION_CORE_EVENTS;
        e.error = &Bridge::on_core_error;
        return e;
    }();
    pw_core_add_listener(host_, &host_hook_, &core_events, this);
    pw_core_add_listener(inside_, &inside_hook_, &core_events, this);

    registry_ = pw_core_get_registry(inside_, PW_VERSION_REGISTRY, 0);
    static const pw_registry_events registry_events = [] {
        pw_registry_events e{};
        e.version = PW_VERSION_REGISTRY_EVENTS;
        e.global = &Bridge::on_global;
        e.global_remove = &Bridge::on_global_remove;
        return e;
    }();
    pw_registry_add_listener(registry_, &registry_hook_, &registry_events, this);

    const std::string& name = settings_.container;
    sink_ = std::make_unique<BridgeStream>(
        inside_, PW_DIRECTION_INPUT,
        pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CLASS, "Audio/Sink", PW_KEY_NODE_NAME,
                          "ctopbroker.sink", PW_KEY_NODE_DESCRIPTION, "Speakers (through ctopbroker)", nullptr),
        [this](float* frames, uint32_t count) { playback_ring_.push_interleaved(frames, count); }, [] {}, false);
    pw_properties* props = pw_properties_new(
        PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Playback", PW_KEY_NODE_NAME, ("ctopbroker." + name).c_str(),
        PW_KEY_NODE_DESCRIPTION, ("Container " + name).c_str(), PW_KEY_MEDIA_NAME, ("container " + name).c_str(),
        PW_KEY_APP_NAME, ("ctopbroker: " + name).c_str(), "ctopbroker.container", name.c_str(), nullptr);
    host_playback_ = std::make_unique<BridgeStream>(
        host_, PW_DIRECTION_OUTPUT, props,
        [this](float* frames, uint32_t count) { playback_ring_.pop_interleaved(frames, count); },
        [this] { host_playback_->set_volume(settings_.volume, settings_.mute); });
    set_mic(settings_.mic);

    stdin_source_ = pw_loop_add_io(
        pw_main_loop_get_loop(loop_), STDIN_FILENO, SPA_IO_IN | SPA_IO_HUP, false,
        [](void* data, int fd, uint32_t) {
            auto* self = static_cast<Bridge*>(data);
            char buf[4096];
            ssize_t n = read(fd, buf, sizeof buf);
            if (n <= 0) {
                pw_main_loop_quit(self->loop_);  // the session is gone
                return;
            }
            self->stdin_buffer_.append(buf, static_cast<size_t>(n));
            size_t nl;
            while ((nl = self->stdin_buffer_.find('\n')) != std::string::npos) {
                std::string line = self->stdin_buffer_.substr(0, nl);
                self->stdin_buffer_.erase(0, nl + 1);
                self->handle_line(line);
            }
        },
        this);
}

Bridge::~Bridge()
{
    for (auto& [key, proxy] : links_) pw_proxy_destroy(proxy);
    for (auto& [id, app] : apps_)
        if (app.proxy) pw_proxy_destroy(app.proxy);
    mic_source_.reset();
    host_capture_.reset();
    sink_.reset();
    host_playback_.reset();
    if (registry_) {
        spa_hook_remove(&registry_hook_);
        pw_proxy_destroy(reinterpret_cast<pw_proxy*>(registry_));
    }
    if (inside_) pw_core_disconnect(inside_);
    if (host_) pw_core_disconnect(host_);
    if (context_) pw_context_destroy(context_);
    if (loop_) pw_main_loop_destroy(loop_);
}

void Bridge::on_core_error(void* data, uint32_t id, int, int res, const char* message)
{
    auto* self = static_cast<Bridge*>(data);
    if (id == PW_ID_CORE && res == -EPIPE) {
        log_event("disconnected", "a PipeWire daemon went away");
        self->exit_code_ = 1;
        pw_main_loop_quit(self->loop_);
        return;
    }
    log_event("pipewire-error", std::to_string(id) + ": " + (message ? message : std::strerror(-res)));
}

void Bridge::on_global(void* data, uint32_t id, uint32_t, const char* type, uint32_t, const spa_dict* props)
{
    auto* self = static_cast<Bridge*>(data);
    if (std::strcmp(type, PW_TYPE_INTERFACE_Port) == 0) {
        self->ports_[id] = {prop_id(props, PW_KEY_NODE_ID), prop(props, PW_KEY_PORT_DIRECTION) == "out",
                            prop(props, PW_KEY_AUDIO_CHANNEL)};
        self->relink();
        return;
    }
    if (std::strcmp(type, PW_TYPE_INTERFACE_Node) != 0) return;
    std::string media_class = prop(props, PW_KEY_MEDIA_CLASS);
    if (media_class != "Stream/Output/Audio" && media_class != "Stream/Input/Audio") return;
    AppNode app;
    app.client = prop_id(props, PW_KEY_CLIENT_ID);
    app.name = prop(props, PW_KEY_NODE_NAME);
    app.capture = media_class == "Stream/Input/Audio";
    if (app.capture && !self->mic_source_) return self->deny_capture(id, app);
    self->configure_app(id, self->apps_[id] = app);
}

void Bridge::on_global_remove(void* data, uint32_t id)
{
    auto* self = static_cast<Bridge*>(data);
    if (auto it = self->apps_.find(id); it != self->apps_.end()) {
        if (it->second.proxy) pw_proxy_destroy(it->second.proxy);
        self->apps_.erase(it);
    }
    if (self->ports_.erase(id)) {
        for (auto it = self->links_.begin(); it != self->links_.end();) {
            if (it->first.first == id || it->first.second == id) {
                pw_proxy_destroy(it->second);
                it = self->links_.erase(it);
            } else {
                ++it;
            }
        }
    }
}

// What a session manager does for a new stream: give it one DSP port per
// channel of ours, converting whatever it plays or wants, so it can be linked.
void Bridge::configure_app(uint32_t id, AppNode& app)
{
    app.proxy = static_cast<pw_proxy*>(pw_registry_bind(registry_, id, PW_TYPE_INTERFACE_Node, PW_VERSION_NODE, 0));
    uint8_t buf[1024];
    spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof buf);
    const spa_pod* format = stereo_format(&b, SPA_PARAM_Format, SPA_AUDIO_FORMAT_F32P);
    auto direction = app.capture ? SPA_DIRECTION_INPUT : SPA_DIRECTION_OUTPUT;
    auto* param = static_cast<spa_pod*>(spa_pod_builder_add_object(
        &b, SPA_TYPE_OBJECT_ParamPortConfig, SPA_PARAM_PortConfig, SPA_PARAM_PORT_CONFIG_direction,
        SPA_POD_Id(direction), SPA_PARAM_PORT_CONFIG_mode, SPA_POD_Id(SPA_PARAM_PORT_CONFIG_MODE_dsp),
        SPA_PARAM_PORT_CONFIG_format, SPA_POD_Pod(format)));
    pw_node_set_param(reinterpret_cast<pw_node*>(app.proxy), SPA_PARAM_PortConfig, 0, param);
}

// The microphone is not granted: the stream gets an error (its app sees the
// recording fail) and goes away.
void Bridge::deny_capture(uint32_t id, const AppNode& app)
{
    std::string message = "ctopbroker: the microphone is not granted to container '" + settings_.container +
                          "' (ctopbroker audio " + settings_.container + " --allow-mic)";
    if (app.client != SPA_ID_INVALID) {
        auto* client = static_cast<pw_client*>(
            pw_registry_bind(registry_, app.client, PW_TYPE_INTERFACE_Client, PW_VERSION_CLIENT, 0));
        pw_client_error(client, id, -EACCES, message.c_str());
        pw_proxy_destroy(reinterpret_cast<pw_proxy*>(client));
    }
    pw_registry_destroy(registry_, id);
    log_event("mic-denied", "refused capture stream '" + app.name + "'");
}

void Bridge::relink()
{
    uint32_t sink = sink_ ? sink_->node_id() : SPA_ID_INVALID;
    uint32_t mic = mic_source_ ? mic_source_->node_id() : SPA_ID_INVALID;
    for (const auto& [app_port, p] : ports_) {
        auto app = apps_.find(p.node);
        if (app == apps_.end() || p.channel.empty()) continue;
        // Playback streams feed the sink; capture streams read the microphone.
        uint32_t ours = app->second.capture ? mic : sink;
        if (ours == SPA_ID_INVALID || p.output == app->second.capture) continue;
        for (const auto& [our_port, q] : ports_) {
            if (q.node != ours || q.channel != p.channel || q.output == p.output) continue;
            if (p.output) link(p.node, app_port, ours, our_port);
            else link(ours, our_port, p.node, app_port);
        }
    }
}

void Bridge::link(uint32_t out_node, uint32_t out_port, uint32_t in_node, uint32_t in_port)
{
    auto key = std::make_pair(out_port, in_port);
    if (links_.count(key)) return;
    pw_properties* props = pw_properties_new(nullptr, nullptr);
    pw_properties_setf(props, PW_KEY_LINK_OUTPUT_NODE, "%u", out_node);
    pw_properties_setf(props, PW_KEY_LINK_OUTPUT_PORT, "%u", out_port);
    pw_properties_setf(props, PW_KEY_LINK_INPUT_NODE, "%u", in_node);
    pw_properties_setf(props, PW_KEY_LINK_INPUT_PORT, "%u", in_port);
    links_[key] = static_cast<pw_proxy*>(
        pw_core_create_object(inside_, "link-factory", PW_TYPE_INTERFACE_Link, PW_VERSION_LINK, &props->dict, 0));
    pw_properties_free(props);
}

void Bridge::set_mic(bool granted)
{
    settings_.mic = granted;
    if (granted == static_cast<bool>(mic_source_)) return;
    if (!granted) {
        // Revoked: every capture stream loses the microphone now.
        for (auto it = apps_.begin(); it != apps_.end();) {
            if (it->second.capture) {
                if (it->second.proxy) pw_proxy_destroy(it->second.proxy);
                it->second.proxy = nullptr;
                deny_capture(it->first, it->second);
                it = apps_.erase(it);
            } else {
                ++it;
            }
        }
        mic_source_.reset();
        host_capture_.reset();
        mic_ring_.clear();
        return;
    }
    const std::string& name = settings_.container;
    pw_properties* props = pw_properties_new(
        PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture", PW_KEY_NODE_NAME,
        ("ctopbroker." + name + ".mic").c_str(), PW_KEY_NODE_DESCRIPTION, ("Microphone of container " + name).c_str(),
        PW_KEY_MEDIA_NAME, ("microphone for container " + name).c_str(), PW_KEY_APP_NAME,
        ("ctopbroker: " + name).c_str(), "ctopbroker.container", name.c_str(), nullptr);
    host_capture_ =
        std::make_unique<BridgeStream>(host_, PW_DIRECTION_INPUT, props, [this](float* frames, uint32_t count) {
            mic_ring_.push_interleaved(frames, count);
        });
    mic_source_ = std::make_unique<BridgeStream>(
        inside_, PW_DIRECTION_OUTPUT,
        pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CLASS, "Audio/Source", PW_KEY_NODE_NAME,
                          "ctopbroker.microphone", PW_KEY_NODE_DESCRIPTION, "Microphone (through ctopbroker)", nullptr),
        [this](float* frames, uint32_t count) { mic_ring_.pop_interleaved(frames, count); }, [] {}, false);
}

json Bridge::state() const
{
    json playing = json::array(), recording = json::array();
    for (const auto& [id, app] : apps_) (app.capture ? recording : playing).push_back(app.name);
    auto id = [](const auto& node) {
        return node && node->node_id() != SPA_ID_INVALID ? json(node->node_id()) : json();
    };
    return {{"container", settings_.container},
            {"host_node", id(host_playback_)},
            {"mic_node", id(host_capture_)},
            {"volume", settings_.volume},
            {"mute", settings_.mute},
            {"mic", settings_.mic},
            {"playing", playing},
            {"recording", recording}};
}

void Bridge::handle_line(const std::string& line)
{
    json req = json::parse(line, nullptr, false);
    if (req.is_discarded() || !req.is_object()) return log_event("bad-request", line);
    json reply = {{"id", req.value("id", 0)}, {"ok", true}};
    if (req.contains("volume") || req.contains("mute")) {
        float volume = req.value("volume", settings_.volume);
        if (volume < 0.0f || volume > 1.5f) {
            reply = {{"id", req.value("id", 0)}, {"ok", false}, {"error", "volume must be between 0 and 150%"}};
            return emit(reply);
        }
        settings_.volume = volume;
        settings_.mute = req.value("mute", settings_.mute);
        host_playback_->set_volume(settings_.volume, settings_.mute);
    }
    if (req.contains("mic")) set_mic(req["mic"].get<bool>());
    reply["state"] = state();
    emit(reply);
}

int Bridge::run()
{
    emit({{"event", "ready"}, {"state", state()}});
    pw_main_loop_run(loop_);
    return exit_code_;
}

}  // namespace

namespace {

// Joins the user namespace of the container's init unless already there.
// Entering another pid namespace needs CAP_SYS_ADMIN in one's own user
// namespace too: a normal user (the owner of an unprivileged container's user
// namespace) has it only once inside that namespace.
bool enter_user_namespace_of(pid_t init)
{
    struct stat mine {
    }, theirs{};
    std::string path = "/proc/" + std::to_string(init) + "/ns/user";
    if (stat("/proc/self/ns/user", &mine) != 0 || stat(path.c_str(), &theirs) != 0) return false;
    if (mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev) return true;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && setns(fd, CLONE_NEWUSER) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

// The anchor itself, forked into the container's pid namespace: joins the
// container's other namespaces as nobody, connects `sock`, reports on
// `ready`, then waits on `hold` for as long as the bridge lives.
[[noreturn]] void run_anchor(pid_t init, int sock, int ready, int hold)
{
    char ok = 1;
    try {
        enter_container_namespaces(init);
    } catch (const std::exception&) {
        ok = 0;
    }
    constexpr uid_t nobody = 65534;
    if (setgroups(0, nullptr) != 0 || setresgid(nobody, nobody, nobody) != 0 || setresuid(nobody, nobody, nobody) != 0)
        ok = 0;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, pipewire_socket_inside, sizeof addr.sun_path - 1);
    ok = ok && connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(sock);
    // Set only now: a change of credentials clears it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Its parent, outside this pid namespace, shows as parent 0; anything
    // else means it is gone already.
    if (getppid() != 0) _exit(1);
    if (write(ready, &ok, 1) != 1 || !ok) _exit(1);
    close(ready);
    char byte;
    while (read(hold, &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
}

}  // namespace

void verify_daemon(int fd, const std::filesystem::path& broker_dir);

// PipeWire's access check looks the peer's pid up in the daemon's /proc. A
// process outside the container's pid namespace shows up there as pid 0, and
// the daemon would hold it back as an unknown sandboxed client for good. So
// the connection is made by an anchor: a process in the container's pid
// namespace that joins the container's other namespaces, drops to nobody,
// connects to the socket's path inside (a read-only directory the container
// cannot change) and waits for as long as the bridge lives.
// The bridge cannot leave its own user namespace, so a child of it (the
// keeper) enters the container's user and pid namespaces, forks the anchor,
// checks who accepted the connection (only there may a normal user read the
// daemon's /proc entries) and lives as long as the anchor does.
// Returns the connected fd; `anchor` is the keeper, `anchor_hold` the pipe the
// anchor waits on: closing it ends both. (In an unprivileged container the
// anchor's nobody is a subordinate uid the bridge's nobody may not signal.)
int connect_from_inside(pid_t init, const std::string& path, pid_t& anchor, int& anchor_hold)
{
    UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    UniqueFd ready_in, ready_out, hold_in, hold_out;
    if (!sock || !make_pipe(ready_in, ready_out, O_CLOEXEC) || !make_pipe(hold_in, hold_out, O_CLOEXEC))
        throw std::runtime_error(std::string("cannot connect to the container's PipeWire: ") + std::strerror(errno));
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        ready_in.reset();
        auto fail = [&](const std::string& why) {
            std::string reply = "0" + why;
            (void)!write(ready_out.get(), reply.data(), reply.size());
            _exit(1);
        };
        int theirs = open(("/proc/" + std::to_string(init) + "/ns/pid").c_str(), O_RDONLY | O_CLOEXEC);
        if (theirs < 0 || !enter_user_namespace_of(init) || setns(theirs, CLONE_NEWPID) != 0)
            fail(std::string("cannot reach the container's pid namespace: ") + std::strerror(errno));
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // after setns: entering a user namespace clears it
        if (getppid() == 1) _exit(1);
        int anchor_ready[2];
        if (pipe2(anchor_ready, O_CLOEXEC) != 0) fail(std::string("pipe: ") + std::strerror(errno));
        pid_t inside = fork();
        if (inside == 0) {
            ready_out.reset();  // else the bridge would wait for the anchor's end to hear the keeper
            hold_out.reset();   // else the anchor would hold itself
            close(anchor_ready[0]);
            run_anchor(init, sock.get(), anchor_ready[1], hold_in.get());
        }
        if (inside < 0) fail(std::string("fork: ") + std::strerror(errno));
        close(anchor_ready[1]);
        hold_in.reset();
        hold_out.reset();
        char ok = 0;
        if (read(anchor_ready[0], &ok, 1) != 1 || !ok) fail("cannot connect to the container's PipeWire at " + path);
        try {
            verify_daemon(sock.get(), std::filesystem::path(path).parent_path());
        } catch (const std::exception& e) {
            fail(e.what());
        }
        sock.reset();
        (void)!write(ready_out.get(), "1", 1);
        ready_out.reset();
        int status = 0;
        while (waitpid(inside, &status, 0) < 0 && errno == EINTR) {
        }
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
    int err = errno;
    ready_out.reset();
    hold_in.reset();
    std::string reply;
    char buf[512];
    ssize_t n;
    while (pid > 0 && ((n = read(ready_in.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0) reply.append(buf, static_cast<size_t>(n));
    ready_in.reset();
    if (pid < 0 || reply.empty() || reply[0] != '1') {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        if (pid < 0)
            throw std::runtime_error("cannot connect to the container's PipeWire at " + path + ": " +
                                     std::strerror(err));
        throw std::runtime_error(reply.size() > 1 ? reply.substr(1, 400)
                                                  : "cannot connect to the container's PipeWire at " + path);
    }
    anchor = pid;
    anchor_hold = hold_out.release();
    return sock.release();
}

// The host's PipeWire, connected while the bridge can still reach it (its
// socket lives in the session user's runtime directory). The session may
// have started that daemon a moment ago.
int connect_host(const std::string& path)
{
    for (int attempt = 0; attempt < 50; ++attempt) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
        if (fd >= 0) close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("cannot connect to the host's PipeWire at " + path + ": " + std::strerror(errno));
}

// The inode of the socket at the other end of our connected Unix socket `fd`
// (sock_diag, as `ss -x` finds it); 0 when the kernel does not say.
ino_t peer_inode(int fd)
{
    struct stat st {};
    if (fstat(fd, &st) != 0) return 0;
    int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) return 0;
    struct {
        nlmsghdr header;
        unix_diag_req request;
    } query{};
    query.header.nlmsg_len = sizeof query;
    query.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    query.header.nlmsg_flags = NLM_F_REQUEST;
    query.request.sdiag_family = AF_UNIX;
    query.request.udiag_ino = static_cast<uint32_t>(st.st_ino);
    query.request.udiag_show = UDIAG_SHOW_PEER;
    query.request.udiag_cookie[0] = query.request.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
    alignas(nlmsghdr) char reply[4096];
    ssize_t n = send(nl, &query, sizeof query, 0) == sizeof query ? recv(nl, reply, sizeof reply, 0) : -1;
    close(nl);
    auto* h = reinterpret_cast<nlmsghdr*>(reply);
    if (n <= 0 || !NLMSG_OK(h, static_cast<size_t>(n)) || h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return 0;
    auto* msg = static_cast<unix_diag_msg*>(NLMSG_DATA(h));
    int left = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
    for (auto* a = reinterpret_cast<rtattr*>(msg + 1); RTA_OK(a, left); a = RTA_NEXT(a, left))
        if (a->rta_type == UNIX_DIAG_PEER) return *static_cast<uint32_t*>(RTA_DATA(a));
    return 0;
}

bool holds_socket(pid_t pid, ino_t inode)
{
    const std::string wanted = "socket:[" + std::to_string(inode) + "]";
    std::error_code ec;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        std::error_code link_ec;
        if (std::filesystem::read_symlink(fd.path(), link_ec).string() == wanted) return true;
    }
    return false;
}

// The container's user can take the daemon's listening socket (same uid) and
// accept on it. So the connection counts only if the daemon the session
// started (pid and start time recorded on the host) accepted it: the other end
// of our socket must be among that process's descriptors.
void verify_daemon(int fd, const std::filesystem::path& broker_dir)
{
    pid_t daemon = running_container_pipewire(broker_dir);
    if (daemon <= 0)
        throw std::runtime_error("refused: the PipeWire daemon ctopbroker started in this container is gone, and "
                                 "something else answers on its socket");
    // The other end has an inode once it is accepted; then it must be the daemon's.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    ino_t peer = 0;
    while (!(peer = peer_inode(fd)) || !holds_socket(daemon, peer)) {
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error(std::string("refused: the connection to the container's PipeWire socket ") +
                                     (peer ? "was accepted by a process other than" : "was never accepted by") +
                                     " the daemon ctopbroker started (pid " + std::to_string(daemon) + ")");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

// Everything the bridge reads from here on comes from a container: it reads
// it as nobody (in a root session), with no capability left (not even in its bounding set), and
// not dumpable, so no other nobody process can take its descriptors.
void drop_privileges()
{
    constexpr uid_t nobody = 65534;
    for (int cap = 0; cap <= 63; ++cap)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL && errno != EPERM)
            throw std::runtime_error(std::string("cannot drop capabilities: ") + std::strerror(errno));
    // A normal user's session has no capability to drop and may not become
    // nobody; not dumpable, no other process of that user can take hold of it.
    if (geteuid() == 0 && (setgroups(0, nullptr) != 0 || setresgid(nobody, nobody, nobody) != 0 ||
                           setresuid(nobody, nobody, nobody) != 0))
        throw std::runtime_error(std::string("cannot become nobody: ") + std::strerror(errno));
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        throw std::runtime_error(std::string("cannot lock the bridge down: ") + std::strerror(errno));
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps[2]{};
    if (syscall(SYS_capget, &header, caps) != 0 || caps[0].effective || caps[1].effective || caps[0].permitted ||
        caps[1].permitted || getuid() == 0 || geteuid() == 0)
        throw std::runtime_error("the audio bridge still holds privileges after dropping them");
}

int audio_bridge_main()
{
    // Byte by byte: nothing after the first line may be buffered away from
    // the loop that reads the rest.
    std::string first;
    char c;
    while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n') first += c;
    json config = json::parse(first, nullptr, false);
    if (config.is_discarded() || !config.is_object()) {
        std::cerr << "ctopbroker audio bridge: malformed configuration\n";
        return 2;
    }
    int rc;
    pid_t anchor = -1;
    int anchor_hold = -1;
    try {
        Settings settings;
        settings.container = config.at("container").get<std::string>();
        std::filesystem::path container_socket = config.at("container_socket").get<std::string>();
        settings.host_fd = connect_host(config.at("host_socket").get<std::string>());
        // Before PipeWire starts any thread: the anchor is forked.
        settings.container_fd =
            connect_from_inside(config.at("init_pid").get<pid_t>(), container_socket.string(), anchor, anchor_hold);
        drop_privileges();
        settings.mic = config.value("mic", false);
        settings.volume = config.value("volume", 1.0f);
        settings.mute = config.value("mute", false);
        pw_init(nullptr, nullptr);
        Bridge bridge(std::move(settings));
        rc = bridge.run();
    } catch (const std::exception& e) {
        emit({{"event", "failed"}, {"message", e.what()}});
        rc = 1;
    }
    if (anchor > 0) {
        close(anchor_hold);
        waitpid(anchor, nullptr, 0);
    }
    return rc;
}

}  // namespace ctop
