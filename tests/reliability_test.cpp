// Reliability: bad input never crashes the session. Control requests with
// wrong types, broken session configs and broken container policies, each
// against the real session and real containers.
#include "support/container_test.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

extern char** environ;

namespace {

bool contains(const std::string& haystack, const std::string& needle)
{
    return haystack.find(needle) != std::string::npos;
}

// Starts `ctopbroker ARGS...` with this process's environment; its pid.
pid_t start_cli(const std::vector<std::string>& args, const std::string& out_file)
{
    std::vector<std::string> argv{std::getenv("CTOPBROKER_BIN")};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    posix_spawn(&pid, a[0], &fa, nullptr, a.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

std::string read_file(const fs::path& p)
{
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The state liblxc reports for NAME ("RUNNING", "STOPPED"), via `ctopbroker list`.
std::string state_of(Session& s, const std::string& name)
{
    std::string out;
    if (s.cli({"list", "--json"}, &out) != 0) return "?";
    for (const auto& c : json::parse(out))
        if (c["name"] == name) return c["state"];
    return "absent";
}

using Reliability = ContainerTest;

class SessionOnly : public ::testing::Test {};

}  // namespace

// --- control requests ------------------------------------------------------------

TEST_F(SessionOnly, RequestsWithWrongTypesGetErrorsNamingTheFieldAndTheSessionKeepsRunning)
{
    Session s;
    struct Case {
        json request;
        std::string field;
    };
    std::vector<Case> cases = {
        {{{"cmd", 5}}, "cmd"},
        {{{"cmd", nullptr}}, "cmd"},
        {{{"cmd", "spawn"}, {"name", 5}}, "name"},
        {{{"cmd", "spawn"}}, "name"},
        {{{"cmd", "spawn"}, {"name", "x"}, {"argv", {1, 2}}}, "argv"},
        {{{"cmd", "stop"}, {"name", 5}}, "name"},
        {{{"cmd", "stop"}, {"name", "x"}, {"lxcpath", json::array()}}, "lxcpath"},
        {{{"cmd", "audio"}, {"name", "x"}, {"mute", "yes"}}, "mute"},
        {{{"cmd", "audio"}, {"name", "x"}, {"volume", "loud"}}, "volume"},
        {{{"cmd", "audio"}, {"name", "x"}, {"mic", 1}}, "mic"},
        {{{"cmd", "workspace"}, {"slot", "two"}}, "slot"},
        {{{"cmd", "workspace"}, {"slot", 1e12}}, "slot"},
        {{{"cmd", "key"}, {"combo", json::object()}}, "combo"},
        {{{"cmd", "type"}}, "text"},
        {{{"cmd", "socket"}, {"name", true}}, "name"},
        {{{"cmd", "notify"}, {"message", 3.5}}, "message"},
    };
    for (const auto& c : cases) {
        json r = s.ctl(c.request);
        EXPECT_FALSE(r.value("ok", true)) << c.request.dump();
        EXPECT_TRUE(contains(r.value("error", ""), "'" + c.field + "'")) << c.request.dump() << " → " << r.dump();
        ASSERT_TRUE(s.alive()) << "the session died on " << c.request.dump();
    }
    EXPECT_TRUE(contains(s.ctl({{"cmd", "fly"}}).value("error", ""), "unknown command 'fly'"));
    EXPECT_TRUE(s.status().value("ok", false));
}

// --- session configuration and backends ---------------------------------------------

TEST_F(SessionOnly, ABadConfigStopsTheSessionWithFileLineAndKey)
{
    try {
        Session s({}, "[keyboard]\nlayout = \"us\"\nrepeat_rate = \"fast\"\n");
        FAIL() << "the session started with a bad config";
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(contains(e.what(), "config.toml:3: keyboard.repeat_rate: expected a number")) << e.what();
    }
    try {
        Session s({}, "[keyboard]\nlayout = \"us\"\n\n[pointer]\nspeed = 2\n");
        FAIL() << "the session started with an unknown section";
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(contains(e.what(), "config.toml:4: pointer: unknown key or section (known: ")) << e.what();
    }
    try {
        Session s({}, "[keybindings]\nquit = \"Super+Nonsense\"\n");
        FAIL() << "the session started with a bad binding";
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(contains(e.what(), "config.toml:2: keybindings.quit")) << e.what();
    }
}

TEST_F(SessionOnly, BackendDrmWithoutADeviceExitsAtOnceSayingWhatIsMissing)
{
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/dev/dri", ec))
        if (e.path().filename().string().rfind("card", 0) == 0) GTEST_SKIP() << "this machine has " << e.path();
    char tmpl[] = "/tmp/ctopbroker-drm-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    const char* old = std::getenv("XDG_RUNTIME_DIR");
    std::string saved = old ? old : "";
    setenv("XDG_RUNTIME_DIR", tmpl, 1);
    std::string out = std::string(tmpl) + "/out";
    auto t0 = std::chrono::steady_clock::now();
    pid_t pid = start_cli({"session", "--backend", "drm"}, out);
    if (old) setenv("XDG_RUNTIME_DIR", saved.c_str(), 1);
    else unsetenv("XDG_RUNTIME_DIR");
    int status = 0;
    bool exited = wait_until([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 15s);
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    EXPECT_TRUE(exited) << "still running (waiting for a DRM card?): " << read_file(out);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    EXPECT_TRUE(contains(read_file(out), "no DRM device")) << read_file(out);
    fs::remove_all(tmpl, ec);
}

TEST_F(SessionOnly, AutoBackendSaysWhichItChoseAndWhyWithoutTheRenderNodeError)
{
    Session s({"--backend", "auto"});
    EXPECT_EQ(s.status()["backend"], "headless");
    std::string log = s.log();
    EXPECT_TRUE(contains(log, "backend: headless (")) << log;
    EXPECT_FALSE(contains(log, "drmGetDevices2")) << log;
    EXPECT_FALSE(contains(log, "DRM render node")) << log;
}

// --- policies ----------------------------------------------------------------------

TEST_F(Reliability, BrokenPoliciesFailSpawnWithFileLineAndKeyAndTheSessionKeepsRunning)
{
    create("pol");
    fs::path file = s().runtime_dir() / "config" / "ctopbroker" / "containers" / "pol.toml";
    ASSERT_TRUE(fs::exists(file));
    std::string good = read_file(file);
    struct Case {
        std::string toml, expect;
    };
    std::vector<Case> cases = {
        {"memory = 0\n", "pol.toml:1: memory: must be positive"},
        {"memory = \"-1G\"\n", "pol.toml:1: memory: expected a size"},
        {"memory = \"1K\"\n", "pol.toml:1: memory: must be between"},
        {"pids = 0\n", "pol.toml:1: pids: must be between"},
        {"color = \"red\"\n", "pol.toml:1: color"},
        {"network = 17\n", "pol.toml:1: network:"},
        {"colour = \"#ff0000\"\n", "pol.toml:1: colour: unknown key"},
        {"x11 = true\n[clipboard]\nmax_bytes = \"5T\"\n", "pol.toml:3: clipboard.max_bytes: must be between"},
        {"x11 = true\n[clipboard]\nmime = [\"text/plain\", 3]\n", "pol.toml:3: clipboard.mime"},
        {"memory = \"2G\n", "pol.toml:1:"},  // a TOML syntax error
    };
    for (const auto& c : cases) {
        std::ofstream(file) << c.toml;
        std::string out, err;
        EXPECT_NE(s().cli({"spawn", "pol", "--", "true"}, &out, &err), 0) << c.toml;
        EXPECT_TRUE(contains(err, c.expect)) << c.toml << " → " << err;
        ASSERT_TRUE(s().alive()) << "the session died on " << c.toml;
    }
    std::ofstream(file) << good;
    spawn("pol", {"true"});
}

TEST_F(Reliability, CreateRefusesWhatSpawnWouldRefuse)
{
    struct Case {
        std::vector<std::string> flags;
        std::string expect;
    };
    std::vector<Case> cases = {
        {{"--memory", "0"}, "--memory"}, {{"--memory", "-1G"}, "--memory"}, {{"--memory", "1K"}, "--memory"},
        {{"--color", "red"}, "--color"}, {{"--pids", "1"}, "--pids"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"create", "refused"};
        args.insert(args.end(), c.flags.begin(), c.flags.end());
        std::string out, err;
        EXPECT_NE(s().cli(args, &out, &err), 0) << c.flags[0] << " " << c.flags[1];
        EXPECT_TRUE(contains(err, c.expect)) << err;
        EXPECT_EQ(state_of(s(), "refused"), "absent");
        EXPECT_FALSE(fs::exists(s().runtime_dir() / "config" / "ctopbroker" / "containers" / "refused.toml"));
    }
}

// --- spawn tells the truth -----------------------------------------------------------

TEST_F(Reliability, SpawnFailsWhenTheAppFailsAtOnceAndSaysWhy)
{
    create("truth");
    std::string out, err;
    EXPECT_NE(s().cli({"spawn", "truth", "--", "nonexistentcmd"}, &out, &err), 0);
    EXPECT_TRUE(contains(err, "'nonexistentcmd'") && contains(err, "command not found")) << err;

    EXPECT_NE(s().cli({"spawn", "truth", "--", "sh", "-c", "echo boom; exit 3"}, &out, &err), 0);
    EXPECT_TRUE(contains(err, "status 3")) << err;
    EXPECT_TRUE(contains(err, "boom")) << err;

    EXPECT_NE(s().cli({"spawn", "truth", "--", "sh", "-c", "kill -9 $$"}, &out, &err), 0);
    EXPECT_TRUE(contains(err, "signal 9")) << err;

    // A launcher that hands over and exits 0 is not a failure; a long-running app neither.
    EXPECT_EQ(s().cli({"spawn", "truth", "--", "true"}, &out, &err), 0) << err;
    EXPECT_EQ(s().cli({"spawn", "truth", "--", "sleep", "60"}, &out, &err), 0) << err;
    // A Wayland app is answered as soon as it connects, not after a second.
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(s().cli({"spawn", "truth", "--", "foot"}, &out, &err), 0) << err;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 900ms);
    EXPECT_TRUE(s().alive());
}
