// What one client can make the session do or hold is bounded: a control
// client that floods requests and never reads its replies, too many control
// connections, overlong request lines; a Wayland client of a container
// (through `ctopbroker socket NAME`, tagged like a container's) that creates
// 400,000 surfaces, a 16384x16384 buffer, or too many connections. The
// offender is cut off; frames keep flowing and other clients keep working.
#include "support/harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A raw, non-blocking connection to the session's control socket; -1 when refused.
int connect_control(const Session& s)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = (s.runtime_dir() / "ctopbroker" / "control.sock").string();
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);  // connect itself waits for room in the listen backlog
    return fd;
}

// True when the session closed `fd` (EOF or reset) within `timeout_ms`;
// whatever it sent before is discarded.
bool closed_by_session(int fd, int timeout_ms, std::string* received = nullptr)
{
    char buf[65536];
    for (int waited = 0; waited < timeout_ms; waited += 50) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
        if (n > 0 && received) received->append(buf, static_cast<size_t>(n));
    }
    return false;
}

std::string session_log(const Session& s)
{
    std::ifstream in(s.runtime_dir() / "session.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

uint64_t commits_of(const Session& s, const std::string& title)
{
    for (const json& v : s.views())
        if (v["title"] == title) return v["commits"].get<uint64_t>();
    return 0;
}

// Sends `views` requests as fast as the socket takes them and never reads a
// reply; reconnects whenever the session drops it. Counts the drops.
class NeverReadingClient {
public:
    explicit NeverReadingClient(const Session& s) : s_(s), thread_([this] { run(); }) {}
    ~NeverReadingClient()
    {
        stop_ = true;
        thread_.join();
    }
    int disconnects() const { return disconnects_; }
    bool saturated() const { return saturated_; }

private:
    void run()
    {
        std::string burst;
        for (int i = 0; i < 512; ++i)
            burst += R"({"cmd":"views"})"
                     "\n";
        int fd = connect_control(s_);
        while (!stop_) {
            if (fd < 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                fd = connect_control(s_);
                continue;
            }
            ssize_t n = send(fd, burst.data(), burst.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EAGAIN) {
                saturated_ = true;  // the session has stopped taking requests as fast as we send
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            } else if (n < 0) {
                ++disconnects_;
                close(fd);
                fd = -1;
            }
        }
        if (fd >= 0) close(fd);
    }

    const Session& s_;
    std::atomic<bool> stop_{false}, saturated_{false};
    std::atomic<int> disconnects_{0};
    std::thread thread_;
};

// The session's own pid, from the control socket's peer credentials.
pid_t session_pid(const Session& s)
{
    int fd = connect_control(s);
    ucred cred{};
    socklen_t len = sizeof cred;
    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
    close(fd);
    return cred.pid;
}

// A field of /proc/PID/status in KiB (VmHWM: the peak resident set).
long status_kib(pid_t pid, const std::string& field)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    return -1;
}

class Budgets : public ::testing::Test {
protected:
    // The tagged socket of a (container-less) container NAME.
    std::string socket(const std::string& name)
    {
        json r = s.ctl({{"cmd", "socket"}, {"name", name}});
        EXPECT_EQ(r["ok"], true) << r.dump();
        return r.value("socket", "");
    }
    // Runs the hostile client as a client of `container`; its verdict.
    json hostile(const std::string& container, std::vector<std::string> args)
    {
        args.insert(args.begin(), std::getenv("HOSTILE_CLIENT"));
        std::string out;
        s.run(args, {{"WAYLAND_DISPLAY", socket(container)}}, &out);
        json j = json::parse(out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "hostile client said: " << out;
        return j;
    }
    // A host client that animates for as long as the test runs.
    void start_animation()
    {
        s.spawn({std::getenv("FRAME_CLIENT"), "--frames", "100000000", "--size", "320x240"});
        ASSERT_TRUE(s.wait_views("host", 1));
        ASSERT_TRUE(wait_until([&] { return commits_of(s, title) > 5; }));
    }
    bool animation_advances()
    {
        uint64_t before = commits_of(s, title);
        return wait_until([&] { return commits_of(s, title) > before; });
    }

    Session s;
    const std::string title = "ctopbroker frame bench";
};

// What libwayland-client reports for wl_display.error no_memory.
constexpr int no_memory = ENOMEM;

}  // namespace

TEST_F(Budgets, AClientCreating400000SurfacesIsCutOffAndTheSessionStaysSmall)
{
    start_animation();
    pid_t pid = session_pid(s);
    long peak_before = status_kib(pid, "VmHWM");
    ASSERT_GT(peak_before, 0);

    json v = hostile("evil", {"surfaces", "400000"});
    EXPECT_LT(v["created"].get<long>(), 400000) << "the compositor kept taking surfaces";
    EXPECT_EQ(v["error"], no_memory) << v.dump();
    std::string log = session_log(s);
    EXPECT_NE(log.find("container evil: disconnected a Wayland client"), std::string::npos) << log;
    EXPECT_NE(log.find("surfaces"), std::string::npos);

    long grown_mib = (status_kib(pid, "VmHWM") - peak_before) / 1024;
    std::printf("session peak RSS grew by %ld MiB for %ld surfaces\n", grown_mib, v["created"].get<long>());
    EXPECT_LT(grown_mib, 64) << "the session's peak memory grew with the attack";

    EXPECT_TRUE(animation_advances()) << "the host's animation stopped after the attack";
    s.spawn({std::getenv("HOSTILE_CLIENT"), "listen", "5"}, {{"WAYLAND_DISPLAY", socket("evil")}});
    EXPECT_TRUE(s.wait_views("evil", 1)) << "a new, well-behaved client of the same container cannot map";
    EXPECT_TRUE(s.alive());
}

TEST_F(Budgets, HugeShmBuffersAreRefusedAndRealisticOnesAreNot)
{
    start_animation();
    json big = hostile("evil", {"buffer", "16384", "16384"});
    EXPECT_EQ(big["error"], no_memory) << big.dump();
    json wide = hostile("evil", {"buffer", "16384", "1"});
    EXPECT_EQ(wide["error"], no_memory) << wide.dump();
    json many = hostile("evil", {"buffer", "8192", "8192", "3"});  // 768 MiB of buffers
    EXPECT_EQ(many["error"], no_memory) << many.dump();
    std::string log = session_log(s);
    EXPECT_NE(log.find("buffer side (px) 16384 > 8192"), std::string::npos) << log;
    EXPECT_NE(log.find("shm buffer bytes"), std::string::npos) << log;

    // A 4K window's triple buffer is fine (foot, on the host, reserves a 1 GiB pool).
    json fine = hostile("evil", {"buffer", "3840", "2160", "3"});
    EXPECT_EQ(fine["error"], 0) << "a 4K window's buffers must work: " << fine.dump();
    EXPECT_TRUE(animation_advances());
}

TEST_F(Budgets, AContainerCannotOpenMoreThanItsShareOfClients)
{
    json crowd = hostile("crowd", {"clients", "40"});
    EXPECT_EQ(crowd["working"], 32) << "one container holds at most 32 Wayland clients";
    EXPECT_NE(session_log(s).find("container crowd: refusing Wayland clients"), std::string::npos);
    // Another container is not affected, and the crowd can come back once gone.
    EXPECT_EQ(hostile("other", {"clients", "3"})["working"], 4);
    EXPECT_EQ(hostile("crowd", {"clients", "3"})["working"], 4);
}

TEST(ControlSocket, AClientThatNeverReadsItsRepliesFreezesNeitherFramesNorOtherClients)
{
    Session s;
    s.spawn({std::getenv("FRAME_CLIENT"), "--frames", "100000000", "--size", "320x240"});
    ASSERT_TRUE(s.wait_views("host", 1));
    const std::string title = "ctopbroker frame bench";
    ASSERT_TRUE(wait_until([&] { return commits_of(s, title) > 10; })) << "the animating client never drew";

    NeverReadingClient attacker(s);
    ASSERT_TRUE(wait_until([&] { return attacker.saturated(); })) << "the attack never filled its socket";
    // Each sample is itself a request from another client, answered during the attack.
    uint64_t last = commits_of(s, title), frames = s.status()["frames"].get<uint64_t>();
    for (int i = 0; i < 4; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        uint64_t now = commits_of(s, title);
        EXPECT_GT(now, last) << "the animating client's commits stopped during the attack (sample " << i << ")";
        last = now;
    }
    EXPECT_GT(s.status()["frames"].get<uint64_t>(), frames) << "the outputs stopped drawing during the attack";
    EXPECT_TRUE(wait_until([&] { return attacker.disconnects() > 0; }))
        << "a client that never reads was never disconnected: its replies pile up in the session";
    EXPECT_NE(session_log(s).find("does not read its replies"), std::string::npos);
    EXPECT_TRUE(s.alive());
}

TEST(ControlSocket, ConnectionsBeyondTheCapAreRefusedAndTheSessionStillAnswers)
{
    Session s;
    std::vector<int> idle;
    for (int i = 0; i < 48; ++i) {
        int fd = connect_control(s);
        ASSERT_GE(fd, 0);
        idle.push_back(fd);
    }
    int refused = 0;
    for (int fd : idle) refused += closed_by_session(fd, 100) ? 1 : 0;
    EXPECT_GE(refused, 1) << "48 idle connections were all kept open";
    EXPECT_LE(refused, 48 - 16) << "ordinary numbers of connections should be kept";
    EXPECT_NE(session_log(s).find("refusing connections"), std::string::npos);
    for (int fd : idle) close(fd);
    EXPECT_TRUE(wait_until([&] {
        try {
            return s.status()["ok"] == true;
        } catch (const std::exception&) {
            return false;
        }
    })) << "the session does not answer once the idle connections are gone";
}

TEST(ControlSocket, AnOverlongRequestLineIsRefusedAndClosed)
{
    Session s;
    int fd = connect_control(s);
    ASSERT_GE(fd, 0);
    std::string junk(512 * 1024, 'x');
    size_t sent = 0;
    while (sent < junk.size()) {
        ssize_t n = send(fd, junk.data() + sent, junk.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        if (n <= 0) break;  // closed by the session part way: fine
        sent += static_cast<size_t>(n);
    }
    std::string reply;
    EXPECT_TRUE(closed_by_session(fd, 5000, &reply));
    EXPECT_NE(reply.find("request too large"), std::string::npos) << reply;
    close(fd);
    EXPECT_EQ(s.status()["ok"], true);
}

TEST(ControlSocket, AMalformedRequestGetsAnErrorReplyAndTheConnectionStaysUsable)
{
    Session s;
    int fd = connect_control(s);
    ASSERT_GE(fd, 0);
    std::string requests = "{\"cmd\":5}\nnot json\n[1,2]\n{\"cmd\":\"status\"}\n";
    ASSERT_EQ(send(fd, requests.data(), requests.size(), MSG_NOSIGNAL), static_cast<ssize_t>(requests.size()));
    std::string replies;
    ASSERT_TRUE(wait_until([&] {
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) replies.append(buf, static_cast<size_t>(n));
        return std::count(replies.begin(), replies.end(), '\n') >= 4;
    }));
    std::istringstream lines(replies);
    std::string line;
    for (int i = 0; i < 3; ++i) {
        std::getline(lines, line);
        EXPECT_NE(line.find("cmd"), std::string::npos) << line;
    }
    std::getline(lines, line);
    EXPECT_EQ(json::parse(line)["wayland_display"], s.wayland_display());
    close(fd);
}
