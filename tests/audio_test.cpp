// Per-container audio with real PipeWire daemons, real LXC containers and
// pw-play / pw-record / pw-link / sox. The session starts its own host
// PipeWire in the test's runtime dir (there is none there); no session
// manager runs on the host, so the tests link the nodes themselves with
// pw-link, which also makes plain which node a recording came from.
#include "support/container_test.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <future>
#include <thread>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// DSP ports from the start, so pw-link can reach them without a session manager.
const std::string dsp_ports = "adapter.auto-port-config = { mode = dsp monitor = false position = preserve }";

// The loud part of a recording: the median RMS of its 100 ms windows above
// the noise floor, how long it lasted, and its frequency from zero crossings.
struct Level {
    double rms = 0;
    double seconds = 0;
    double hz = 0;
};

Level level_of(const std::string& raw_f32_mono)
{
    std::vector<float> s(raw_f32_mono.size() / sizeof(float));
    std::memcpy(s.data(), raw_f32_mono.data(), s.size() * sizeof(float));
    constexpr size_t window = 4800;  // 100 ms at 48 kHz
    struct Window {
        double rms;
        size_t crossings;
    };
    std::vector<Window> loud;
    for (size_t start = 0; start + window <= s.size(); start += window) {
        double sum = 0;
        size_t crossings = 0;
        for (size_t i = start; i < start + window; ++i) {
            sum += double(s[i]) * s[i];
            if (i > start) crossings += (s[i - 1] < 0) != (s[i] < 0);
        }
        double rms = std::sqrt(sum / window);
        if (rms >= 0.02) loud.push_back({rms, crossings});
    }
    Level l;
    if (loud.empty()) return l;
    std::vector<double> sorted;
    for (const auto& w : loud) sorted.push_back(w.rms);
    std::sort(sorted.begin(), sorted.end());
    l.rms = sorted[sorted.size() / 2];
    l.seconds = loud.size() * 0.1;
    // The pitch from the windows the tone fills, not those it starts or ends in.
    size_t crossings = 0, full = 0;
    for (const auto& w : loud)
        if (w.rms > 0.9 * l.rms) {
            crossings += w.crossings;
            ++full;
        }
    l.hz = crossings / 2.0 / (full * 0.1);
    return l;
}

bool is_audio_process(pid_t pid)
{
    // A process may end while we read it: the read then fails (ESRCH), it is gone.
    std::string cmdline;
    try {
        std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
        cmdline.assign(std::istreambuf_iterator<char>(cmd), {});
    } catch (const std::exception&) {
        return false;
    }
    return cmdline.find(std::string("_audio") + '\0') != std::string::npos;
}

pid_t parent_of(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("PPid:", 0) == 0) return std::stoi(line.substr(5));
    return -1;
}

// Host pids of session `session`'s `ctopbroker-helper _audio` processes: the
// bridges, or their anchors inside containers (and the keeper between:
// children of a bridge). In a root session they run as nobody. (Other
// sessions on the machine have theirs.)
std::vector<pid_t> audio_processes(bool anchors, pid_t session)
{
    std::vector<pid_t> out;
    for (const auto& e : fs::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        pid_t pid = std::stoi(name);
        if (!is_audio_process(pid) || is_audio_process(parent_of(pid)) != anchors) continue;
        pid_t up = parent_of(pid);
        while (up > 1 && is_audio_process(up)) up = parent_of(up);
        if (up == session) out.push_back(pid);
    }
    return out;
}

class Audio : public ContainerTest {
protected:
    void SetUp() override
    {
        ContainerTest::SetUp();
        if (IsSkipped()) return;
        for (const char* tool : {"pipewire", "pw-play", "pw-record", "pw-link", "pw-cli", "sox"})
            if (which(tool).empty()) GTEST_SKIP() << tool << " is not installed (scripts/deps.sh installs it)";
    }

    // A stereo sine of `seconds` at `amplitude`, made inside the container.
    void make_tone(const std::string& container, const std::string& file, double seconds, int hz, double amplitude)
    {
        ASSERT_EQ(exec(container, {"sox", "-n", "-r", "48000", "-c", "2", file, "synth", std::to_string(seconds),
                                   "sine", std::to_string(hz), "vol", std::to_string(amplitude)}),
                  0);
    }

    // Whether the host's PipeWire lists port NODE:PORT.
    bool host_has_port(const std::string& port)
    {
        std::string out;
        s().run({"pw-link", "-o", "-i"}, {}, &out);
        return out.find(port + "\n") != std::string::npos;
    }

    void host_link(const std::string& from_node, const std::string& to_node, const char* out = "output_",
                   const char* in = "input_")
    {
        for (const char* ch : {"FL", "FR"}) {
            std::string a = from_node + ":" + out + ch, b = to_node + ":" + in + ch;
            ASSERT_TRUE(wait_until([&] { return host_has_port(a) && host_has_port(b); })) << a << " -> " << b;
            ASSERT_EQ(s().run({"pw-link", a, b}), 0) << a << " -> " << b;
        }
    }

    // Records container `name`'s host node while `play` runs.
    Level record_host_node(const std::string& name, const std::function<void()>& play)
    {
        std::string file = (s().runtime_dir() / ("rec-" + std::to_string(recordings_++) + ".wav")).string();
        std::string node = "test-rec-" + std::to_string(recordings_);
        pid_t rec = s().spawn({"pw-record", "-P", "{ node.name = " + node + " " + dsp_ports + " }", "--rate", "48000",
                               "--channels", "2", file});
        host_link("ctopbroker." + name, node);
        play();
        ::kill(rec, SIGINT);
        s().wait_client(rec);
        return level_of_file(file);
    }

    Level level_of_file(const std::string& file)
    {
        std::string raw;
        EXPECT_EQ(s().run({"sox", file, "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-"}, {}, &raw), 0);
        return level_of(raw);
    }

    // A recording made inside the container, as raw mono floats.
    Level level_inside(const std::string& container, const std::string& file)
    {
        std::string raw;
        EXPECT_EQ(exec(container, {"sox", file, "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-"}, &raw),
                  0);
        return level_of(raw);
    }

    json audio_state(const std::vector<std::string>& args)
    {
        std::vector<std::string> argv{"audio"};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.push_back("--json");
        std::string out, err;
        EXPECT_EQ(s().cli(argv, &out, &err), 0) << err;
        return json::parse(out, nullptr, false)["state"];
    }

    // A container's audio starts with its first audio client: a real one
    // here (pw-cli connects to its PipeWire socket), then the bridge.
    void first_audio_client(const std::string& container)
    {
        EXPECT_EQ(exec(container, {"timeout", "30", "pw-cli", "info", "0"}), 0);
        std::string out, err;
        EXPECT_TRUE(wait_until([&] { return s().cli({"audio", container, "--json"}, &out, &err) == 0; })) << err;
    }

    // Whether a process named `name` runs inside the container (its own pid namespace).
    bool runs_inside(const std::string& container, const std::string& name)
    {
        return exec(container, {"pgrep", "-x", name}) == 0;
    }

    int recordings_ = 0;
};

TEST_F(Audio, AToneInAContainerIsRecordedOnItsOwnHostNodeAtTheRightLevel)
{
    create("alpha");
    spawn("alpha", {"sleep", "600"});
    make_tone("alpha", "/tmp/tone.wav", 2, 440, 0.5);
    first_audio_client("alpha");
    Level l = record_host_node("alpha", [&] { EXPECT_EQ(exec("alpha", {"pw-play", "/tmp/tone.wav"}), 0); });
    // A sine of amplitude 0.5 has an RMS of 0.5/sqrt(2).
    EXPECT_NEAR(l.rms, 0.3536, 0.02);
    EXPECT_GE(l.seconds, 1.7);
    EXPECT_NEAR(l.hz, 440, 15);

    // The node is labelled with its container for any host mixer.
    std::string dump;
    ASSERT_EQ(s().run({"pw-dump"}, {}, &dump), 0);
    json objects = json::parse(dump);
    bool found = false;
    for (const auto& o : objects) {
        json props = o.value("info", json::object()).value("props", json::object());
        if (props.value("node.name", "") != "ctopbroker.alpha") continue;
        found = true;
        EXPECT_EQ(props.value("ctopbroker.container", ""), "alpha");
        EXPECT_EQ(props.value("media.class", ""), "Stream/Output/Audio");
        EXPECT_NE(props.value("node.description", "").find("alpha"), std::string::npos);
    }
    EXPECT_TRUE(found) << "no node ctopbroker.alpha on the host";
}

TEST_F(Audio, APulseAudioAppPlaysThroughTheSameRoute)
{
    if (which("paplay").empty() || which("pipewire-pulse").empty()) GTEST_SKIP() << "pipewire-pulse or paplay missing";
    create("alpha");
    spawn("alpha", {"sleep", "600"});
    make_tone("alpha", "/tmp/tone.wav", 2, 440, 0.5);
    ASSERT_TRUE(wait_until([&] { return exec("alpha", {"pactl", "info"}) == 0; })) << "no pulse server in alpha";
    // pipewire-pulse may answer before the bridge's sink exists (it shows a
    // placeholder until then); the sink must follow.
    std::string sinks;
    EXPECT_TRUE(wait_until([&] {
        exec("alpha", {"pactl", "list", "short", "sinks"}, &sinks);
        return sinks.find("ctopbroker.sink") != std::string::npos;
    })) << sinks;
    Level l = record_host_node("alpha", [&] { EXPECT_EQ(exec("alpha", {"paplay", "/tmp/tone.wav"}), 0); });
    EXPECT_NEAR(l.rms, 0.3536, 0.02);
    EXPECT_GE(l.seconds, 1.7);
    // Pulse's recording API meets the same microphone policy.
    EXPECT_NE(exec("alpha", {"timeout", "10", "parecord", "/tmp/denied.wav"}), 0);
}

TEST_F(Audio, AnotherContainerNeitherSeesNorRecordsItsNodes)
{
    create("alpha");
    create("beta", {"--mic"});
    spawn("beta", {"sleep", "600"});
    spawn("alpha", {"sleep", "600"});
    make_tone("alpha", "/tmp/long.wav", 30, 440, 0.5);
    spawn("alpha", {"pw-play", "-P", "{ node.name = secret-from-alpha }", "/tmp/long.wav"});
    first_audio_client("beta");

    std::string in_alpha, in_beta;
    ASSERT_TRUE(wait_until([&] {
        exec("alpha", {"pw-cli", "ls", "Node"}, &in_alpha);
        return in_alpha.find("secret-from-alpha") != std::string::npos;
    })) << in_alpha;
    ASSERT_EQ(exec("beta", {"pw-dump"}, &in_beta), 0);
    EXPECT_NE(in_beta.find("ctopbroker.sink"), std::string::npos) << "beta has a PipeWire of its own";
    EXPECT_EQ(in_beta.find("secret-from-alpha"), std::string::npos) << in_beta;
    EXPECT_EQ(in_beta.find("alpha"), std::string::npos) << in_beta;

    // Even with the microphone, beta records only what the host gives it
    // (nothing is linked to it here): silence, not alpha's tone.
    exec("beta", {"timeout", "-s", "INT", "2", "pw-record", "--target", "secret-from-alpha", "/tmp/spy.wav"});
    Level spy = level_inside("beta", "/tmp/spy.wav");
    EXPECT_EQ(spy.seconds, 0) << "beta heard something at RMS " << spy.rms;

    // Nor can it reach the host's daemon: there is no such socket inside.
    std::string host_socket = (s().runtime_dir() / "pipewire-0").string();
    EXPECT_NE(exec("beta", {"sh", "-c", "PIPEWIRE_REMOTE=" + host_socket + " timeout 5 pw-cli ls Node"}), 0);
}

TEST_F(Audio, CaptureFailsUntilTheMicrophoneIsGranted)
{
    create("alpha");
    spawn("alpha", {"sleep", "600"});
    std::string out;
    EXPECT_NE(exec("alpha", {"timeout", "10", "pw-record", "/tmp/denied.wav"}, &out), 0);
    EXPECT_NE(out.find("microphone is not granted"), std::string::npos) << out;
    EXPECT_TRUE(audio_state({"alpha"})["mic_node"].is_null());

    // The host's microphone: a tone played into the host graph.
    std::string mic_file = (s().runtime_dir() / "mic.wav").string();
    ASSERT_EQ(s().run({"sox", "-n", "-r", "48000", "-c", "2", mic_file, "synth", "30", "sine", "330", "vol", "0.25"}),
              0);
    s().spawn({"pw-play", "-P", "{ node.name = test-mic " + dsp_ports + " }", mic_file});

    json state = audio_state({"alpha", "--allow-mic"});
    EXPECT_TRUE(state["mic"].get<bool>());
    std::ifstream policy(s().runtime_dir() / "config" / "ctopbroker" / "containers" / "alpha.toml");
    std::string text((std::istreambuf_iterator<char>(policy)), {});
    EXPECT_NE(text.find("mic = true"), std::string::npos) << text;
    host_link("test-mic", "ctopbroker.alpha.mic");

    exec("alpha", {"timeout", "-s", "INT", "3", "pw-record", "/tmp/granted.wav"});
    Level l = level_inside("alpha", "/tmp/granted.wav");
    EXPECT_NEAR(l.rms, 0.25 / std::sqrt(2.0), 0.015);
    EXPECT_GE(l.seconds, 2.0);
    EXPECT_NEAR(l.hz, 330, 15);

    audio_state({"alpha", "--deny-mic"});
    EXPECT_NE(exec("alpha", {"timeout", "10", "pw-record", "/tmp/denied-again.wav"}, &out), 0);
    EXPECT_NE(out.find("microphone is not granted"), std::string::npos) << out;
}

TEST_F(Audio, MuteSilencesTheContainerAndVolumeScalesIt)
{
    create("alpha");
    spawn("alpha", {"sleep", "600"});
    make_tone("alpha", "/tmp/tone.wav", 1.5, 440, 0.5);
    auto play = [&] { EXPECT_EQ(exec("alpha", {"pw-play", "/tmp/tone.wav"}), 0); };

    json state = audio_state({"alpha", "--mute"});
    EXPECT_TRUE(state["mute"].get<bool>());
    Level muted = record_host_node("alpha", play);
    EXPECT_EQ(muted.seconds, 0) << "muted, yet heard at RMS " << muted.rms;

    state = audio_state({"alpha", "--unmute", "--volume", "50"});
    EXPECT_FALSE(state["mute"].get<bool>());
    EXPECT_DOUBLE_EQ(state["volume"].get<double>(), 0.5);
    Level half = record_host_node("alpha", play);
    EXPECT_NEAR(half.rms, 0.3536 / 2, 0.015);

    // The host's own view of the node says the same: any mixer shows it.
    audio_state({"alpha", "--mute"});
    EXPECT_TRUE(wait_until([&] {
        std::string dump;
        s().run({"pw-dump"}, {}, &dump);
        for (const auto& o : json::parse(dump, nullptr, false)) {
            json info = o.value("info", json::object());
            if (info.value("props", json::object()).value("node.name", "") != "ctopbroker.alpha") continue;
            for (const auto& p : info.value("params", json::object()).value("Props", json::array()))
                if (p.value("mute", false)) return true;
        }
        return false;
    })) << "pw-dump does not show ctopbroker.alpha muted";
}

TEST_F(Audio, ALostDaemonEndsOnlyThatContainersAudioUntilItIsSpawnedAgain)
{
    create("alpha");
    create("beta");
    spawn("alpha", {"sleep", "600"});
    spawn("beta", {"sleep", "600"});
    first_audio_client("alpha");
    first_audio_client("beta");
    ASSERT_FALSE(audio_state({"alpha"}).is_null());
    // Something inside kills alpha's PipeWire: its bridge goes, nothing else.
    exec("alpha", {"pkill", "-x", "pipewire"});
    std::string out, err;
    // While the bridge is going, a request may instead be told it stopped;
    // once it is gone, the route is (a change would start it again).
    EXPECT_TRUE(wait_until([&] {
        return s().cli({"audio", "alpha", "--json"}, &out, &err) != 0 &&
               err.find("no audio route") != std::string::npos;
    })) << err;
    EXPECT_TRUE(s().alive());
    EXPECT_FALSE(audio_state({"beta"}).is_null());

    // The next audio client starts a fresh daemon and bridge.
    first_audio_client("alpha");
    make_tone("alpha", "/tmp/tone.wav", 1.5, 440, 0.5);
    Level l = record_host_node("alpha", [&] { EXPECT_EQ(exec("alpha", {"pw-play", "/tmp/tone.wav"}), 0); });
    EXPECT_NEAR(l.rms, 0.3536, 0.02);
}

TEST_F(Audio, ABridgeKilledTakesItsAnchorWithItAndTheNextSpawnBringsTheAudioBack)
{
    auto before_bridges = audio_processes(false, s().pid());
    auto before_anchors = audio_processes(true, s().pid());
    create("alpha");
    spawn("alpha", {"sleep", "600"});
    first_audio_client("alpha");
    std::vector<pid_t> bridges, anchors;
    ASSERT_TRUE(wait_until([&] {
        bridges = audio_processes(false, s().pid());
        anchors = audio_processes(true, s().pid());
        // The anchor and the keeper between it and the bridge (see connect_from_inside).
        return bridges.size() == before_bridges.size() + 1 && anchors.size() == before_anchors.size() + 2;
    }));
    for (pid_t b : bridges)
        if (std::find(before_bridges.begin(), before_bridges.end(), b) == before_bridges.end()) ::kill(b, SIGKILL);
    EXPECT_TRUE(wait_until([&] { return audio_processes(true, s().pid()).size() == before_anchors.size(); }))
        << "the anchor outlived its bridge";
    EXPECT_TRUE(s().alive());

    // The next audio client brings the route back, and sound goes through it.
    std::string out, err;
    EXPECT_TRUE(wait_until([&] { return s().cli({"audio", "alpha", "--json"}, &out, &err) != 0; })) << out;
    spawn("alpha", {"true"});
    first_audio_client("alpha");
    EXPECT_FALSE(audio_state({"alpha"}).is_null());
    make_tone("alpha", "/tmp/tone.wav", 1.5, 440, 0.5);
    Level l = record_host_node("alpha", [&] { EXPECT_EQ(exec("alpha", {"pw-play", "/tmp/tone.wav"}), 0); });
    EXPECT_NEAR(l.rms, 0.3536, 0.02);
}

TEST_F(Audio, AnIdleContainerRunsNoPipeWireUntilItsFirstAudioClientWhoseSoundReachesTheHost)
{
    if (which("paplay").empty() || which("pipewire-pulse").empty()) GTEST_SKIP() << "pipewire-pulse or paplay missing";
    // The session's own bridges (other sessions may run on this machine).
    auto bridges = [&] {
        size_t n = 0;
        for (pid_t p : audio_processes(false, s().pid())) n += parent_of(p) == s().pid();
        return n;
    };
    create("alpha");
    spawn("alpha", {"sleep", "600"});
    make_tone("alpha", "/tmp/tone.wav", 4, 440, 0.5);
    // Idle: its sockets are there for apps to find, nothing serves them yet.
    EXPECT_EQ(exec("alpha", {"test", "-S", "/run/ctopbroker/pipewire-0"}), 0);
    EXPECT_EQ(exec("alpha", {"test", "-S", "/run/user/1000/pulse/native"}), 0);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_FALSE(runs_inside("alpha", "pipewire"));
    EXPECT_FALSE(runs_inside("alpha", "pipewire-pulse"));
    EXPECT_EQ(bridges(), 0u) << "an audio bridge runs for an idle container";
    std::string out, err;
    EXPECT_NE(s().cli({"audio", "alpha", "--json"}, &out, &err), 0);
    EXPECT_NE(err.find("no audio route"), std::string::npos) << err;

    // The first client is a PulseAudio app playing a tone: it starts both
    // daemons and the bridge, and its sound reaches the host on alpha's node.
    // (No PipeWire runs on this test's host: the session starts one with the
    // first route, so the recorder joins once it answers.)
    auto play = std::async(std::launch::async, [&] { return exec("alpha", {"paplay", "/tmp/tone.wav"}); });
    ASSERT_TRUE(wait_until([&] { return fs::exists(s().runtime_dir() / "pipewire-0"); }));
    std::string file = (s().runtime_dir() / "first-client.wav").string();
    pid_t rec = s().spawn({"pw-record", "-P", "{ node.name = test-rec-first " + dsp_ports + " }", "--rate", "48000",
                           "--channels", "2", file});
    host_link("ctopbroker.alpha", "test-rec-first");
    EXPECT_EQ(play.get(), 0);
    ::kill(rec, SIGINT);
    s().wait_client(rec);
    Level l = level_of_file(file);
    EXPECT_NEAR(l.rms, 0.3536, 0.02);
    EXPECT_GE(l.seconds, 1.0) << "the tone's start may be lost while the route starts, not all of it";
    EXPECT_NEAR(l.hz, 440, 15);
    EXPECT_TRUE(runs_inside("alpha", "pipewire"));
    EXPECT_TRUE(runs_inside("alpha", "pipewire-pulse"));
    EXPECT_EQ(bridges(), 1u);
    json state = audio_state({"alpha"});
    EXPECT_EQ(state.value("container", ""), "alpha");
    EXPECT_FALSE(state.value("mic", true)) << "the microphone stays denied";
    EXPECT_NE(exec("alpha", {"timeout", "10", "parecord", "/tmp/denied.wav"}), 0);

    // Labelled with its container on the host, as before.
    std::string dump;
    ASSERT_EQ(s().run({"pw-dump"}, {}, &dump), 0);
    bool found = false;
    for (const auto& o : json::parse(dump)) {
        json props = o.value("info", json::object()).value("props", json::object());
        if (props.value("node.name", "") != "ctopbroker.alpha") continue;
        found = true;
        EXPECT_EQ(props.value("ctopbroker.container", ""), "alpha");
    }
    EXPECT_TRUE(found) << "no node ctopbroker.alpha on the host";
}

TEST_F(Audio, BadRequestsGetClearErrors)
{
    std::string out, err;
    EXPECT_NE(s().cli({"audio", "nosuch", "--allow-mic"}, &out, &err), 0);
    EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
    EXPECT_NE(s().cli({"audio", "nosuch", "--mute"}, &out, &err), 0);
    EXPECT_NE(err.find("no audio route"), std::string::npos) << err;
    EXPECT_NE(s().cli({"audio", "alpha", "--volume", "400"}, &out, &err), 0);
    EXPECT_NE(s().cli({"audio", "alpha", "--mute", "--unmute"}, &out, &err), 0);
}

}  // namespace
