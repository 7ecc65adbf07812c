// X11 apps in containers: each container has its own Xwayland, started on its
// first X client, reachable only from inside, with this compositor as its
// window manager.
#include "support/container_test.hpp"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::set<std::string> host_x_sockets()
{
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/tmp/.X11-unix", ec)) out.insert(e.path().filename());
    return out;
}

class X11 : public ContainerTest {
protected:
    void SetUp() override
    {
        ContainerTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        fs::path helper = std::getenv("X_WINDOW_CLIENT");
        for (const char* name : {"alpha", "beta"}) {
            create(name, {"--share", helper.parent_path().string() + ":/opt/ctop-tests"});
            spawn(name, {"sleep", "300"});
        }
    }
    // tests/x_window_client in `container`; returns once it printed `until`. output() reads what it printed.
    void x_window(const std::string& container, const std::string& args, const std::string& until = "mapped")
    {
        out_ = s().runtime_dir() / (container + "-xwindow.txt");
        s().spawn({"sh", "-c",
                   std::string(std::getenv("CTOPBROKER_BIN")) + " exec " + container +
                       " -- /opt/ctop-tests/x_window_client " + args + " > " + out_.string()});
        EXPECT_TRUE(wait_until([&] { return output().find(until) != std::string::npos; }, std::chrono::seconds(30)))
            << container << ": x_window_client " << args << " never said " << until;
    }
    std::string output() const
    {
        std::ifstream in(out_);
        return std::string((std::istreambuf_iterator<char>(in)), {});
    }
    fs::path out_;
    json x11_of(const std::string& name)
    {
        json st = s().status();
        for (const auto& ws : st["workspaces"])
            if (ws["name"] == name) return ws.value("x11", json());
        return {};
    }
};

}  // namespace

TEST_F(X11, XeyesMapsInItsContainersWorkspaceWithItsColours)
{
    EXPECT_FALSE(x11_of("alpha")["running"].get<bool>());  // nothing X-ish ran yet: no X server
    spawn("alpha", {"xeyes"});
    ASSERT_TRUE(s().wait_views("alpha", 1, std::chrono::seconds(20)));
    json v = s().views()[0];
    EXPECT_EQ(v["kind"], "x11");
    EXPECT_EQ(v["container"], "alpha");
    EXPECT_TRUE(x11_of("alpha")["running"].get<bool>());
    EXPECT_TRUE(x11_of("beta")["pid"] == -1) << "beta's X server must not start for alpha's client";

    ASSERT_EQ(s().key("Super+2"), "");
    json st = s().status();
    std::string color;
    for (const auto& ws : st["workspaces"])
        if (ws["name"] == "alpha") color = ws["color"];
    Image shot = s().screenshot();
    int x = v["x"], y = v["y"], h = v["height"];
    EXPECT_TRUE(near(shot.at(x - 2, y + h / 2), pixel_from_hex(color)));
    EXPECT_EQ(st["focused"]["container"], "alpha");
}

TEST_F(X11, TheXServerIsReachableOnlyFromInsideItsContainer)
{
    auto before = host_x_sockets();
    spawn("alpha", {"xeyes"});
    spawn("beta", {"xeyes"});
    ASSERT_TRUE(s().wait_views("alpha", 1, std::chrono::seconds(20)));
    ASSERT_TRUE(s().wait_views("beta", 1, std::chrono::seconds(20)));
    // Its own display works...
    EXPECT_EQ(exec("alpha", {"xdpyinfo", "-display", ":0"}), 0);
    // ...no other display number leads anywhere, nor does the host's socket directory.
    for (int d = 1; d < 10; ++d)
        EXPECT_NE(exec("alpha", {"xdpyinfo", "-display", ":" + std::to_string(d)}), 0) << "display :" << d;
    // And on the host no socket of a container's X server exists.
    auto after = host_x_sockets();
    for (const auto& name : after) EXPECT_TRUE(before.count(name)) << "new host X socket " << name;
}

TEST_F(X11, XclipInOneContainerIsInvisibleToAnother)
{
    // xclip keeps running as the selection owner after it reads its input.
    spawn("alpha", {"sh", "-c", "echo alpha-x-secret | xclip -selection clipboard -i"});
    std::string out;
    ASSERT_TRUE(wait_until(
        [&] {
            return exec("alpha", {"xclip", "-selection", "clipboard", "-o"}, &out) == 0 && out == "alpha-x-secret\n";
        },
        std::chrono::seconds(20)))
        << out;
    out.clear();
    exec("beta", {"timeout", "5", "xclip", "-selection", "clipboard", "-o"}, &out);
    EXPECT_EQ(out.find("alpha-x-secret"), std::string::npos);
}

TEST_F(X11, KillingXwaylandLeavesTheSessionAndTheNextClientStartsItAgain)
{
    spawn("alpha", {"xeyes"});
    ASSERT_TRUE(s().wait_views("alpha", 1, std::chrono::seconds(20)));
    pid_t x = x11_of("alpha")["pid"];
    ASSERT_GT(x, 0);
    ASSERT_EQ(kill(x, SIGKILL), 0);
    ASSERT_TRUE(s().wait_views("alpha", 0));
    EXPECT_TRUE(s().alive());
    ASSERT_TRUE(wait_until([&] { return !x11_of("alpha")["running"].get<bool>(); }));

    spawn("alpha", {"xeyes"});
    ASSERT_TRUE(s().wait_views("alpha", 1, std::chrono::seconds(20)));
    EXPECT_EQ(x11_of("alpha")["starts"], 2);
    EXPECT_NE(x11_of("alpha")["pid"], x);
}

namespace {

// glibc's checking allocator in the session (not with ASan, which checks more
// and must come first): a write into freed memory aborts the session instead
// of corrupting the heap for a later, unrelated crash.
class X11Teardown : public ContainerTest {
protected:
    void SetUp() override
    {
#if !defined(__SANITIZE_ADDRESS__)
        setenv("LD_PRELOAD", "libc_malloc_debug.so.0", 1);
        setenv("MALLOC_CHECK_", "3", 1);
        setenv("MALLOC_PERTURB_", "165", 1);   // freed memory is overwritten at once
        setenv("LIBC_FATAL_STDERR_", "1", 1);  // glibc's report into the session log, not a tty
#endif
        ContainerTest::SetUp();
        for (const char* var : {"LD_PRELOAD", "MALLOC_CHECK_", "MALLOC_PERTURB_", "LIBC_FATAL_STDERR_"}) unsetenv(var);
    }
    bool x11_running(const std::string& name)
    {
        json st = s().status();
        for (const auto& ws : st["workspaces"])
            if (ws["name"] == name) return ws.value("x11", json::object()).value("running", false);
        return false;
    }
};

}  // namespace

// Stopping a container takes its Xwayland down with its windows; wlroots'
// window manager outlives wlr_xwayland_destroy, so the order matters.
TEST_F(X11Teardown, StoppingAContainerWithAnXtermAgainAndAgainKeepsTheSessionUp)
{
    create("xs");
    for (int round = 0; round < 4; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        spawn("xs", {"xterm"});
        ASSERT_TRUE(s().wait_views("xs", 1, std::chrono::seconds(30)));
        ASSERT_TRUE(x11_running("xs"));
        std::string err;
        ASSERT_EQ(s().cli({"stop", "xs"}, nullptr, &err), 0) << err;
        ASSERT_TRUE(s().wait_views("xs", 0));
        ASSERT_TRUE(s().alive());
        EXPECT_FALSE(x11_running("xs"));
        // New clients still get surfaces: nothing of the old X server hears them.
        EXPECT_EQ(s().run({"wayland-info"}), 0);
        ASSERT_TRUE(s().alive());
    }
    // The crash used to come seconds later, from the event loop.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_TRUE(s().alive());
    EXPECT_EQ(s().run({"wayland-info"}), 0);
    EXPECT_TRUE(s().alive());
}

// A client that draws its own title bar (GTK's header bar, Chromium's tab
// strip) asks the window manager to move or resize its window with
// _NET_WM_MOVERESIZE when the user presses on it; the drag then moves the
// window like a drag on our label does.
TEST_F(X11, DraggingAnXClientsOwnTitleBarMovesItsWindowAndItsCornerResizesIt)
{
    ASSERT_EQ(s().key("Super+2"), "");
    x_window("alpha", "toplevel 400 300 202020 300");
    ASSERT_TRUE(s().wait_views("alpha", 1, std::chrono::seconds(20)));
    json v = s().views()[0];
    int x = v["x"], y = v["y"], w = v["width"], h = v["height"];

    ASSERT_EQ(s().drag(x + 200, y + 20, x + 320, y + 100), "");
    EXPECT_NE(output().find("asked"), std::string::npos) << output();
    ASSERT_TRUE(wait_until([&] {
        v = s().views()[0];
        return v["x"] == x + 120 && v["y"] == y + 80;
    })) << "the window is at "
        << v["x"] << "," << v["y"] << ", not " << x + 120 << "," << y + 80;
    x += 120, y += 80;

    // From inside its bottom-right corner: the client asks for a resize.
    ASSERT_EQ(s().drag(x + w - 6, y + h - 6, x + w + 94, y + h + 54), "");
    EXPECT_TRUE(wait_until([&] {
        v = s().views()[0];
        return v["width"] == w + 100 && v["height"] == h + 60 && v["x"] == x && v["y"] == y;
    })) << "the window is "
        << v["width"] << "x" << v["height"] << " at " << v["x"] << "," << v["y"];

    // And the pointer is the client's again afterwards: a press reaches it.
    s().move_pointer(x + 50, y + 150);
    s().move_pointer(x + 60, y + 160);
    ASSERT_EQ(s().pointer({"click", "right"}), "");
    EXPECT_TRUE(wait_until([&] { return output().find("pressed 60 160") != std::string::npos; })) << output();
}

// Nothing held, nothing moves: a client cannot make its window follow the
// pointer (or steal the pointer) by asking out of the blue.
TEST_F(X11, AnXClientCannotStartAMoveWithoutAButtonHeldOnIt)
{
    ASSERT_EQ(s().key("Super+2"), "");
    x_window("alpha", "toplevel 400 300 202020 300 hostile-move", "asked without a press");
    json v = s().views()[0];
    int x = v["x"], y = v["y"];
    for (int i = 1; i <= 5; ++i) s().move_pointer(600 + 40 * i, 300 + 30 * i);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    v = s().views()[0];
    EXPECT_EQ(v["x"], x);
    EXPECT_EQ(v["y"], y);
    // The pointer still goes to the client.
    s().move_pointer(x + 30, y + 30);
    s().move_pointer(x + 40, y + 40);
    ASSERT_EQ(s().pointer({"click", "right"}), "");
    EXPECT_TRUE(wait_until([&] { return output().find("pressed 40 40") != std::string::npos; })) << output();
}

// Chromium (X11) takes a click for one at a stale place, or drops it, until
// it has seen the pointer move inside its window: a pointer that jumps in
// from the bar and clicks at once must click where it is. The page counts
// and places every press in its title.
TEST_F(X11, ChromiumTakesAClickWhereAPointerThatJustJumpedInIs)
{
    const std::string chromium = "/usr/lib/chromium/chromium";  // the /usr/bin wrapper needs /etc/chromium.d
    if (!fs::exists(chromium)) GTEST_SKIP() << "chromium is not installed (scripts/deps.sh)";
    spawn("alpha",
          {chromium, "--no-sandbox", "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--password-store=basic", "--user-data-dir=/tmp/chromium", "--ozone-platform=x11",
           "data:text/html,<script>n=0;onmousedown=e=>document.title='down '+(++n)+' '+e.clientX+' '+e.clientY"
           "</script>"});
    json v;
    ASSERT_TRUE(wait_until(
        [&] {
            json views = s().views();
            if (views.empty()) return false;
            v = views[0];
            return v["title"].get<std::string>().rfind("data:", 0) == 0;
        },
        std::chrono::seconds(60)))
        << "Chromium never showed the page";
    std::this_thread::sleep_for(std::chrono::seconds(2));  // settled
    ASSERT_EQ(s().key("Super+2"), "");                     // it mapped in the background; now the user goes there
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    int px = v["x"].get<int>() + v["width"].get<int>() / 2, py = v["y"].get<int>() + v["height"].get<int>() * 2 / 3;
    auto title = [&] { return s().views()[0]["title"].get<std::string>(); };

    s().move_pointer(640, 2);  // the bar
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    s().move_pointer(px, py);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(s().click("right"), "");  // a context menu opens: the press is what counts
    std::string jumped;
    EXPECT_TRUE(wait_until([&] { return (jumped = title()).rfind("down 1 ", 0) == 0; })) << "no press: " << jumped;

    // The same place reached as a hand does, with motions inside: the reference.
    ASSERT_EQ(s().key("Escape"), "");
    s().move_pointer(640, 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    s().move_pointer(px - 10, py - 10);
    s().move_pointer(px, py);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(s().key("Escape"), "");  // the menu goes
    ASSERT_EQ(s().click("right"), "");
    std::string walked;
    ASSERT_TRUE(wait_until([&] { return (walked = title()).rfind("down 2 ", 0) == 0; })) << walked;
    EXPECT_EQ(jumped.substr(7), walked.substr(7)) << "the jump-in click landed elsewhere";
}
