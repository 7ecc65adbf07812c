// Faults: kill -9 of the processes ctopbroker is made of, at random points,
// against the real session and real containers. After each, what is left
// must be whole (a container or none), the session must live on (or a new
// one must take over), and no container may run without a session.
#include "support/container_test.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <random>
#include <set>
#include <thread>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& haystack, const std::string& needle)
{
    return haystack.find(needle) != std::string::npos;
}

std::string read_file(const fs::path& p)
{
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Pids of processes whose parent is `parent` and whose argv[1] is `role`
// (`_worker`, `_supervisor`, `_audio`).
std::vector<pid_t> children_in_role(pid_t parent, const std::string& role)
{
    std::vector<pid_t> out;
    for (const auto& e : fs::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string stat = read_file(e.path() / "stat");
        size_t paren = stat.rfind(')');
        if (paren == std::string::npos) continue;
        pid_t ppid = 0;
        char state = 0;
        if (std::sscanf(stat.c_str() + paren + 1, " %c %d", &state, &ppid) != 2 || ppid != parent || state == 'Z')
            continue;
        std::string cmdline = read_file(e.path() / "cmdline");
        if (contains(cmdline, std::string(1, '\0') + role + '\0')) out.push_back(std::stoi(name));
    }
    return out;
}

bool process_alive(pid_t pid)
{
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

class Faults : public ContainerTest {
protected:
    // liblxc's state for NAME ("RUNNING", "STOPPED"), or "absent"; needs no session.
    std::string state_of(const std::string& name)
    {
        std::string out;
        if (s().cli({"list", "--json"}, &out) != 0) return "?";
        json list = json::parse(out, nullptr, false);
        if (!list.is_array()) return "?";
        for (const auto& c : list)
            if (c.value("name", "") == name) return c.value("state", "?");
        return "absent";
    }

    // `ctopbroker spawn NAME -- CMD...` run in the background; exit status and stderr.
    std::future<std::pair<int, std::string>> spawn_in_background(const std::string& name, std::vector<std::string> cmd)
    {
        std::vector<std::string> args{"spawn", name, "--"};
        args.insert(args.end(), cmd.begin(), cmd.end());
        Session* session = s_.get();
        return std::async(std::launch::async, [session, args] {
            std::string out, err;
            int rc = session->cli(args, &out, &err);
            return std::make_pair(rc, err);
        });
    }

    // Kills the session outright (its supervisor too, when asked: a logout
    // that kills the whole process tree) and starts a new one, with another
    // runtime dir.
    void kill_session_and_start_another(bool with_supervisor)
    {
        std::vector<pid_t> supervisors = children_in_role(s().pid(), "_supervisor");
        ASSERT_EQ(supervisors.size(), 1u) << "the session should have one supervisor";
        ASSERT_EQ(::kill(s().pid(), SIGKILL), 0);
        if (with_supervisor) ::kill(supervisors[0], SIGKILL);
        old_runtime_dirs_.push_back(s().runtime_dir());
        s_ = std::make_unique<Session>();
        EXPECT_NE(s().runtime_dir(), old_runtime_dirs_.back());
    }

    std::vector<fs::path> old_runtime_dirs_;
};

// --- the CLI killed mid-create ------------------------------------------------------

TEST_F(Faults, ACreateKilledAtRandomPointsLeavesAWholeContainerOrNothing)
{
    const std::string bin = std::getenv("CTOPBROKER_BIN");
    const fs::path policy = s().runtime_dir() / "config" / "ctopbroker" / "containers" / "k.toml";
    // How long a whole create takes here, to spread the kill points over it.
    auto t0 = std::chrono::steady_clock::now();
    create("k");
    auto full = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    ASSERT_EQ(s().cli({"destroy", "k"}), 0);
    created_.clear();

    std::mt19937 rng(std::random_device{}());
    const int rounds = 24;
    int whole = 0, none = 0;
    for (int i = 0; i < rounds; ++i) {
        // Evenly over 0..250% of a create (its last steps come after the rename), jittered.
        const long long step = std::max<long long>(1, full.count() * 25 / (10 * rounds));
        auto at = std::chrono::milliseconds(step * i + std::uniform_int_distribution<long long>(0, step)(rng));
        pid_t cli = s().spawn({bin, "create", "k", "--network", "none"});
        std::this_thread::sleep_for(at);
        ::kill(cli, SIGKILL);
        s().wait_client(cli);

        std::string st = state_of("k");
        SCOPED_TRACE("round " + std::to_string(i) + ", killed after " + std::to_string(at.count()) + " ms: " + st);
        std::string out, err;
        if (st == "absent") {
            ++none;
            // Nothing: the name is free for a create at once (odd rounds
            // first ask destroy to clear what the killed create left).
            if (i % 2 && s().cli({"destroy", "k"}, &out, &err) != 0)
                EXPECT_TRUE(contains(err, "does not exist")) << err;
            ASSERT_EQ(s().cli({"create", "k", "--network", "none"}, &out, &err), 0) << err;
        } else {
            ++whole;
            ASSERT_EQ(st, "STOPPED");
            EXPECT_TRUE(fs::exists(lxcpath_ / "k" / "config"));
            EXPECT_TRUE(fs::exists(lxcpath_ / "k" / "rootfs" / "etc" / "hostname"));
            EXPECT_TRUE(contains(read_file(policy), "color")) << "a container without its policy";
            EXPECT_NE(s().cli({"create", "k", "--network", "none"}, &out, &err), 0);
            EXPECT_TRUE(contains(err, "already exists")) << err;
        }
        // Either way it is whole now: it runs an app and goes away cleanly.
        ASSERT_EQ(s().cli({"spawn", "k", "--", "sleep", "30"}, &out, &err), 0) << err;
        ASSERT_EQ(s().cli({"destroy", "--force", "k"}, &out, &err), 0) << err;
        EXPECT_EQ(state_of("k"), "absent");
        EXPECT_FALSE(fs::exists(lxcpath_ / "k"));
        EXPECT_FALSE(fs::exists(lxcpath_ / ".ctopbroker-create" / "k"));
    }
    std::printf("kill -9 of create: %d rounds left a whole container, %d nothing (a create takes %lld ms)\n", whole,
                none, static_cast<long long>(full.count()));
    EXPECT_GT(whole, 0);
    EXPECT_GT(none, 0);
}

// --- the CLI killed mid-clone and mid-import ---------------------------------------------

// Whether some process still works on a path below `dir` (a killed CLI's
// rsync or tar finishes on its own).
bool busy_below(const fs::path& dir)
{
    for (const auto& e : fs::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmdline = read_file(e.path() / "cmdline");
        if (contains(cmdline, dir.string()) && process_alive(std::stoi(name))) return true;
    }
    return false;
}

TEST_F(Faults, ACloneOrImportKilledAtRandomPointsLeavesAWholeContainerOrNothing)
{
    const std::string bin = std::getenv("CTOPBROKER_BIN");
    const fs::path policy = s().runtime_dir() / "config" / "ctopbroker" / "containers" / "k.toml";
    create("src", {"--pids", "777"});
    spawn("src", {"sleep", "600"});
    ASSERT_EQ(exec("src", {"/bin/sh", "-c", "head -c 4194304 /dev/urandom > /home/user/blob"}), 0);
    ASSERT_EQ(s().cli({"stop", "src"}), 0);
    const fs::path archive = lxcpath_ / "src.tar.zst";
    std::string out, err;
    ASSERT_EQ(s().cli({"export", "src", archive.string()}, &out, &err), 0) << err;

    struct Kind {
        const char* what;
        std::vector<std::string> args;
    };
    std::mt19937 rng(std::random_device{}());
    for (const Kind& kind : {Kind{"clone", {"clone", "src", "k"}}, Kind{"import", {"import", archive.string(), "k"}}}) {
        auto t0 = std::chrono::steady_clock::now();
        ASSERT_EQ(s().cli(kind.args, &out, &err), 0) << err;
        auto full = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
        ASSERT_EQ(s().cli({"destroy", "k"}, &out, &err), 0) << err;
        const int rounds = 5;
        int whole = 0, none = 0;
        for (int i = 0; i < rounds; ++i) {
            const long long step = std::max<long long>(1, full.count() * 15 / (10 * rounds));
            auto at = std::chrono::milliseconds(step * i + std::uniform_int_distribution<long long>(0, step)(rng));
            std::vector<std::string> argv{bin};
            argv.insert(argv.end(), kind.args.begin(), kind.args.end());
            pid_t cli = s().spawn(argv);
            std::this_thread::sleep_for(at);
            ::kill(cli, SIGKILL);
            s().wait_client(cli);
            EXPECT_TRUE(wait_until([&] { return !busy_below(lxcpath_ / ".ctopbroker-create"); }, 20s));

            std::string st = state_of("k");
            SCOPED_TRACE(std::string(kind.what) + " round " + std::to_string(i) + ", killed after " +
                         std::to_string(at.count()) + " ms: " + st);
            if (st == "absent") {
                ++none;
                EXPECT_NE(s().cli({"spawn", "k", "--", "true"}, &out, &err), 0);
                EXPECT_TRUE(contains(err, "does not exist")) << err;
                if (i % 2 && s().cli({"destroy", "k"}, &out, &err) != 0) {
                    EXPECT_TRUE(contains(err, "does not exist")) << err;
                }
                ASSERT_EQ(s().cli(kind.args, &out, &err), 0)
                    << "the name is not free after a killed " << kind.what << ": " << err;
            } else {
                ++whole;
                ASSERT_EQ(st, "STOPPED");
                EXPECT_TRUE(contains(read_file(policy), "pids = 777")) << "a " << kind.what << " without its policy";
            }
            // Whole now: it runs, has the data with its owner, and goes away cleanly.
            ASSERT_EQ(s().cli({"spawn", "k", "--", "sleep", "30"}, &out, &err), 0) << err;
            out.clear();
            exec("k", {"stat", "-c", "%u:%g %s", "/home/user/blob"}, &out);
            EXPECT_EQ(out, "1000:1000 4194304\n");
            ASSERT_EQ(s().cli({"destroy", "--force", "k"}, &out, &err), 0) << err;
            EXPECT_FALSE(fs::exists(lxcpath_ / "k"));
            EXPECT_FALSE(fs::exists(lxcpath_ / ".ctopbroker-create" / "k"));
        }
        std::printf("kill -9 of %s: %d rounds left a whole container, %d nothing (one takes %lld ms)\n", kind.what,
                    whole, none, static_cast<long long>(full.count()));
        EXPECT_GT(none, 0);
    }
}

TEST_F(Faults, DestroyClearsADirectoryAnOlderCreateLeftAndCreateSaysSo)
{
    fs::create_directories(lxcpath_ / "old" / "rootfs" / "etc");
    if (const TestUser* user = test_user()) {
        // As the session's user left it: its directories, a rootfs the
        // container's root (the user's first subordinate id) had taken.
        std::ifstream subuid("/etc/subuid");
        uid_t root = 0;
        for (std::string line; std::getline(subuid, line);)
            if (line.starts_with(user->name + ":")) root = std::stoul(line.substr(user->name.size() + 1));
        ASSERT_NE(root, 0u) << "no subordinate ids for " << user->name;
        ASSERT_EQ(chown((lxcpath_ / "old").c_str(), user->uid, user->gid), 0);
        for (const char* dir : {"old/rootfs", "old/rootfs/etc"})
            ASSERT_EQ(chown((lxcpath_ / dir).c_str(), root, root), 0);
    }
    std::string out, err;
    EXPECT_NE(s().cli({"create", "old", "--network", "none"}, &out, &err), 0);
    EXPECT_TRUE(contains(err, "without a config") && contains(err, "ctopbroker destroy old")) << err;
    EXPECT_EQ(s().cli({"destroy", "old"}, &out, &err), 0) << err;
    EXPECT_TRUE(contains(out, (lxcpath_ / "old").string())) << out;
    EXPECT_FALSE(fs::exists(lxcpath_ / "old"));
    create("old");
    EXPECT_NE(s().cli({"destroy", "never-made"}, &out, &err), 0);
    EXPECT_TRUE(contains(err, "does not exist")) << err;
}

// --- containers end with their session ------------------------------------------------

TEST_F(Faults, ContainersStopWhenTheSessionQuitsEndsByKeyOrIsKilled)
{
    create("a");
    struct Ending {
        const char* how;
        std::function<void()> end;
    };
    std::vector<Ending> endings = {
        {"quit", [&] { EXPECT_EQ(s().cli({"quit"}), 0); }},
        {"Super+Shift+E",
         [&] {
             try {
                 s().key("Super+Shift+E");  // the reply may not make it out
             } catch (const std::exception&) {
             }
         }},
        {"kill -9", [&] { ::kill(s().pid(), SIGKILL); }},
    };
    for (auto& e : endings) {
        SCOPED_TRACE(e.how);
        spawn("a", {"sleep", "600"});
        ASSERT_EQ(state_of("a"), "RUNNING");
        e.end();
        EXPECT_TRUE(wait_until([&] { return !s().alive(); }, 10s));
        EXPECT_TRUE(wait_until([&] { return state_of("a") == "STOPPED"; }, 20s)) << "still " << state_of("a");
        s_ = std::make_unique<Session>();
    }
}

TEST_F(Faults, ASessionKilledMidSpawnLeavesAContainerTheNextSessionSpawnsInto)
{
    create("a");
    std::mt19937 rng(std::random_device{}());
    // Its supervisor living on (it stops the container, the next session
    // starts it again) or killed with it (the next session finds it running
    // with dead sockets and restarts it).
    int interrupted = 0, restarted = 0;
    for (int round = 0; round < 4; ++round) {
        bool with_supervisor = round % 2;
        auto at = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 600)(rng));
        SCOPED_TRACE("round " + std::to_string(round) + (with_supervisor ? ", supervisor killed too" : "") +
                     ", killed after " + std::to_string(at.count()) + " ms");
        auto pending = spawn_in_background("a", {"sleep", "600"});
        std::this_thread::sleep_for(at);
        kill_session_and_start_another(with_supervisor);
        interrupted += pending.get().first != 0;  // the session died before answering

        std::string out, err;
        ASSERT_EQ(s().cli({"spawn", "a", "--", "weston-simple-shm"}, &out, &err), 0) << err;
        restarted += contains(err, "left running by a session that ended");
        EXPECT_TRUE(s().wait_views("a", 1, 20s));
        EXPECT_TRUE(s().alive());
    }
    std::printf("kill -9 of the session: %d of 4 spawns interrupted, %d containers restarted by the next session\n",
                interrupted, restarted);
    EXPECT_GT(interrupted, 0);
    // The last session's own end stops it as well.
    ASSERT_EQ(::kill(s().pid(), SIGKILL), 0);
    EXPECT_TRUE(wait_until([&] { return state_of("a") == "STOPPED"; }, 20s)) << "still " << state_of("a");
    s_ = std::make_unique<Session>();
}

TEST_F(Faults, AContainerAnotherLiveSessionUsesIsRefusedNamingThatSession)
{
    create("a");
    spawn("a", {"sleep", "600"});
    Session other;
    std::string out, err;
    EXPECT_NE(other.cli({"spawn", "a", "--", "true"}, &out, &err), 0);
    EXPECT_TRUE(contains(err, "container 'a' belongs to another running session (pid " + std::to_string(s().pid())))
        << err;
    EXPECT_TRUE(contains(err, "ctopbroker stop a")) << err;
    EXPECT_EQ(state_of("a"), "RUNNING");
    EXPECT_TRUE(other.alive());
}

// --- the worker killed mid-spawn ---------------------------------------------------------

TEST_F(Faults, AWorkerKilledMidSpawnFailsThatSpawnSayingSoAndTheNextSpawnWorks)
{
    create("a");
    std::mt19937 rng(std::random_device{}());
    int interrupted = 0;
    for (int round = 0; round < 4; ++round) {
        // Killed while it starts the container (warm spawns go through the agent, without a worker).
        auto pending = spawn_in_background("a", {"sleep", "600"});
        // Looked for without a pause: a worker for a running container is done in milliseconds.
        std::vector<pid_t> workers;
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while ((workers = children_in_role(s().pid(), "_worker")).empty() &&
               std::chrono::steady_clock::now() < deadline && pending.wait_for(0s) != std::future_status::ready) {
        }
        if (workers.empty()) {
            ASSERT_GE(round, 2) << "no worker seen while it started the container";
            pending.get();
            ASSERT_EQ(s().cli({"stop", "a"}), 0);
            continue;
        }
        auto at = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 60)(rng));
        std::this_thread::sleep_for(at);
        SCOPED_TRACE("round " + std::to_string(round) + ", killed after " + std::to_string(at.count()) + " ms");
        bool killed = process_alive(workers[0]) && ::kill(workers[0], SIGKILL) == 0;
        auto [rc, err] = pending.get();
        if (killed && rc != 0) {
            ++interrupted;
            EXPECT_TRUE(contains(err, "container 'a'") && contains(err, "died without an answer")) << err;
            EXPECT_TRUE(contains(err, "run it again")) << err;
        }
        EXPECT_TRUE(s().alive());
        std::string out;
        ASSERT_EQ(s().cli({"spawn", "a", "--", "weston-simple-shm"}, &out, &err), 0) << err;
        EXPECT_TRUE(s().wait_views("a", 1, 20s));
        ASSERT_EQ(s().cli({"stop", "a"}, &out, &err), 0) << err;
        EXPECT_TRUE(s().wait_views("a", 0));
    }
    std::printf("kill -9 of the worker: %d of 4 spawns failed saying so\n", interrupted);
    EXPECT_GT(interrupted, 0);
}

// --- Xwayland killed while it starts ---------------------------------------------------------

TEST_F(Faults, XwaylandKilledWhileItStartsLeavesTheSessionAndTheNextXClientWorks)
{
    create("a");
    spawn("a", {"sleep", "600"});
    auto x11 = [&]() -> json {
        json st = s().status();
        for (const auto& ws : st["workspaces"])
            if (ws["name"] == "a" && ws.contains("x11")) return ws["x11"];
        return json::object();
    };
    auto xwaylands = [] {
        std::set<pid_t> out;
        for (const auto& e : fs::directory_iterator("/proc")) {
            std::string name = e.path().filename();
            if (name.find_first_not_of("0123456789") == std::string::npos &&
                read_file(e.path() / "comm") == "Xwayland\n")
                out.insert(std::stoi(name));
        }
        return out;
    };
    std::mt19937 rng(std::random_device{}());
    for (int round = 0; round < 3; ++round) {
        auto before = xwaylands();
        // Its X client fails with it: that spawn's answer does not matter.
        auto first = spawn_in_background("a", {"xeyes"});
        pid_t x = -1;
        auto deadline = std::chrono::steady_clock::now() + 20s;
        while (x < 0 && std::chrono::steady_clock::now() < deadline)
            for (pid_t p : xwaylands())
                if (!before.count(p)) x = p;
        ASSERT_GT(x, 0) << "no Xwayland started for the X client";
        auto at = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 300)(rng));
        std::this_thread::sleep_for(at);
        bool was_ready = x11().value("running", false);
        SCOPED_TRACE("round " + std::to_string(round) + ", killed after " + std::to_string(at.count()) + " ms, " +
                     (was_ready ? "ready" : "still starting"));
        ::kill(x, SIGKILL);
        first.get();
        EXPECT_TRUE(s().alive());
        // A client still waiting on the socket may get a fresh Xwayland at
        // once; either way the next X client gets a window from a new one.
        std::this_thread::sleep_for(1s);
        size_t windows = 0;
        for (const auto& v : s().views()) windows += v["workspace"] == "a";
        spawn("a", {"xeyes"});
        ASSERT_TRUE(s().wait_views("a", windows + 1, 30s)) << "no X window after Xwayland was killed";
        pid_t next = x11().value("pid", -1);
        EXPECT_GT(next, 0);
        EXPECT_NE(next, x);
        // Back to no X server for the next round.
        ASSERT_EQ(s().cli({"stop", "a"}), 0);
        ASSERT_TRUE(s().wait_views("a", 0, 20s));
        spawn("a", {"sleep", "600"});
    }
}

}  // namespace
