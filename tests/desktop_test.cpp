// Whole desktops in containers and autostart: a real desktop environment
// (Xfce: xfwm4, xfce4-panel, xfdesktop) fills a container's workspace below
// the bar, its own panel's menu opens, Super+N switches between two live
// container desktops; config.toml's autostart starts real apps in two
// containers when the session comes up.
#include "support/container_test.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

using namespace ctop::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Xfce's window manager, desktop and panel on their own session bus (xfconf
// needs one), as a user's `desktop` key would say.
const std::string xfce = "dbus-run-session sh -c 'xfwm4 & xfdesktop & exec xfce4-panel'";
// The same panel and window manager over the bare root window, which the
// test paints a known colour once the screen has its final size (xfwm4's own
// compositor would paint the root from a wallpaper property instead).
const std::string blue_root = "#2050a0";
const std::string xfce_bare = "dbus-run-session sh -c 'xfwm4 --compositor=off & exec xfce4-panel'";

class Desktop : public ContainerTest {
protected:
    json workspace(const std::string& name)
    {
        json status = s().status();  // the loop below must not walk a temporary's member
        for (const auto& ws : status["workspaces"])
            if (ws["name"] == name) return ws;
        return {};
    }
    json view_of(const std::string& name)
    {
        json views = s().views();
        for (const auto& v : views)
            if (v["container"] == name) return v;
        return {};
    }
    // Whether the desktop's X server (inside `name`) has a window whose name contains `what`.
    bool has_x_window(const std::string& name, const std::string& what)
    {
        std::string out;
        exec(name, {"sh", "-c", "DISPLAY=:1 xwininfo -root -tree 2>/dev/null"}, &out);
        return out.find(what) != std::string::npos;
    }
    // Shows `name`'s workspace and waits until its desktop fills it below the
    // bar and its panel is up. (A hidden workspace's windows get no frame
    // callbacks: Xwayland shows the desktop's new size once it is visible.)
    void wait_desktop(const std::string& name)
    {
        ASSERT_TRUE(s().wait_views(name, 1, std::chrono::seconds(60))) << name << ": no desktop window\n" << s().log();
        ASSERT_EQ(s().cli({"workspace", name}), 0);
        json v;
        const int height = s().screenshot("size").height;
        ASSERT_TRUE(wait_until([&] {
            v = view_of(name);
            return !v.is_null() && v["x"] == 0 && v["y"].get<int>() > 0 &&
                   v["y"].get<int>() + v["height"].get<int>() == height;
        })) << name
            << ": the desktop does not fill its workspace: " << v.dump();
        ASSERT_TRUE(wait_until([&] { return has_x_window(name, "xfce4-panel"); }, std::chrono::seconds(90)))
            << name << ": xfce4-panel never mapped on the desktop's display";
    }
    // A screenshot the session took, copied to $CTOPBROKER_TEST_SHOTS (when
    // set) as TEST-NAME[-AS].png, for a person to look at.
    void keep(const std::string& name, const std::string& as = "")
    {
        const char* dir = std::getenv("CTOPBROKER_TEST_SHOTS");
        if (!dir) return;
        std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        std::error_code ec;
        fs::copy_file(s().runtime_dir() / (name + ".png"),
                      fs::path(dir) / (test.substr(0, 40) + "-" + name + (as.empty() ? "" : "-" + as) + ".png"),
                      fs::copy_options::overwrite_existing, ec);
    }
    // Pixels of `a` and `b` in the box that differ clearly.
    static int differing(const Image& a, const Image& b, int x0, int y0, int x1, int y1)
    {
        int n = 0;
        for (int y = y0; y < y1; ++y)
            for (int x = x0; x < x1; ++x) n += !near(a.at(x, y), b.at(x, y), 24);
        return n;
    }
};

}  // namespace

TEST_F(Desktop, AContainerDesktopFillsItsWorkspaceBelowTheBarAndItsPanelMenuOpens)
{
    create("office");
    std::string out, err;
    // No desktop in its policy yet: the spawn says which `set` gives it one.
    EXPECT_NE(s().cli({"spawn", "office", "--desktop"}, &out, &err), 0);
    EXPECT_NE(err.find("ctopbroker set office desktop="), std::string::npos) << err;
    ASSERT_EQ(s().cli({"set", "office", "desktop=" + xfce}, &out, &err), 0) << err;
    ASSERT_EQ(s().cli({"spawn", "office", "--desktop"}, &out, &err), 0) << err;
    ASSERT_NO_FATAL_FAILURE(wait_desktop("office"));
    ASSERT_EQ(s().key("Super+2"), "");
    ASSERT_EQ(s().status()["current_workspace"], "office");

    // One window, the whole workspace below the bar; the bar keeps naming the
    // container (its label in the container's colour).
    Image empty = s().screenshot("before");
    const int width = empty.width, height = empty.height;
    json v;
    ASSERT_TRUE(wait_until([&] {
        v = view_of("office");
        return !v.is_null() && v["x"] == 0 && v["width"] == width &&
               v["y"].get<int>() + v["height"].get<int>() == height;
    })) << "the desktop does not fill its workspace: "
        << v.dump();
    const int bar = v["y"];
    EXPECT_GT(bar, 10);
    EXPECT_EQ(v["kind"], "x11");
    // Its X screen followed: the DE lays out its panels on the workspace's size.
    std::string dims;
    exec("office", {"sh", "-c", "DISPLAY=:1 xdpyinfo | grep dimensions"}, &dims);
    EXPECT_NE(dims.find(std::to_string(width) + "x" + std::to_string(height - bar) + " pixels"), std::string::npos)
        << dims;
    ASSERT_TRUE(wait_until([&] { return has_x_window("office", "xfdesktop"); }, std::chrono::seconds(60)));
    std::this_thread::sleep_for(std::chrono::seconds(3));  // the wallpaper and the panel's icons load
    Image shot = s().screenshot("desktop");
    keep("desktop");
    auto color = pixel_from_hex(workspace("office")["color"]);
    int label = 0;
    for (int y = 0; y < bar; ++y)
        for (int x = 0; x < width / 2; ++x) label += near(shot.at(x, y), color, 8);
    EXPECT_GT(label, 100) << "the bar does not show office's label in its colour";
    // The desktop's own pixels reach every edge of the workspace: the panel's
    // top row, the wallpaper in the middle, the bottom row.
    int distinct_rows = 0;
    for (int y : {bar + 2, (bar + height) / 2, height - 2})
        distinct_rows += !near(shot.at(width / 2, y), shot.at(width / 2, bar - 2), 8);
    EXPECT_EQ(distinct_rows, 3) << "the workspace below the bar is not the desktop's";

    // The panel's Applications button (top left of Xfce's default panel) opens its menu.
    ASSERT_EQ(s().move_pointer(40, bar + 12), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    Image before = s().screenshot("before-menu");
    ASSERT_EQ(s().click(), "");
    Image menu;
    EXPECT_TRUE(wait_until(
        [&] {
            menu = s().screenshot("menu");
            return differing(before, menu, 0, bar + 30, 120, bar + 150) > 3000;
        },
        std::chrono::seconds(15)))
        << "no menu below the panel's Applications button (see menu.png in " << s().runtime_dir() << ")";
    keep("menu");
    // The menu is the desktop's own, inside it: the bar above is untouched.
    EXPECT_LT(differing(before, menu, 0, 0, width, bar), 20);
    EXPECT_TRUE(s().alive());
}

TEST_F(Desktop, SuperNumberSwitchesBetweenTwoLiveContainerDesktops)
{
    create("office", {"--desktop", xfce});
    create("lab", {"--desktop", xfce_bare});
    std::string out, err;
    ASSERT_EQ(s().cli({"spawn", "office", "--desktop"}, &out, &err), 0) << err;
    ASSERT_EQ(s().cli({"spawn", "lab", "--desktop"}, &out, &err), 0) << err;
    ASSERT_NO_FATAL_FAILURE(wait_desktop("office"));
    ASSERT_NO_FATAL_FAILURE(wait_desktop("lab"));
    const int office = workspace("office")["slot"], lab = workspace("lab")["slot"];
    const int bar = view_of("lab")["y"];
    ASSERT_EQ(exec("lab", {"sh", "-c", "DISPLAY=:1 xsetroot -solid '" + blue_root + "'"}), 0);
    ASSERT_EQ(s().key("Super+" + std::to_string(lab)), "");
    // lab's panel drawn over its blue root (it maps a moment after its window exists).
    EXPECT_TRUE(wait_until(
        [&] {
            Image shot = s().screenshot("panel");
            return !near(shot.at(shot.width / 2, bar + 10), pixel_from_hex(blue_root), 8) &&
                   near(shot.at(shot.width / 2, shot.height / 2), pixel_from_hex(blue_root), 8);
        },
        std::chrono::seconds(60)))
        << "lab's panel is not drawn over its root";
    auto centre_is_blue = [&] {
        Image shot = s().screenshot("switch");
        return near(shot.at(shot.width / 2, shot.height / 2), pixel_from_hex(blue_root), 8);
    };
    for (int round = 0; round < 2; ++round) {
        ASSERT_EQ(s().key("Super+" + std::to_string(lab)), "");
        EXPECT_EQ(s().status()["current_workspace"], "lab");
        EXPECT_TRUE(wait_until(centre_is_blue, std::chrono::seconds(20))) << "lab's desktop is not shown";
        keep("switch", "lab");
        ASSERT_EQ(s().key("Super+" + std::to_string(office)), "");
        EXPECT_EQ(s().status()["current_workspace"], "office");
        EXPECT_TRUE(wait_until([&] {
            Image shot = s().screenshot("switch");
            auto centre = shot.at(shot.width / 2, shot.height / 2);
            return !near(centre, pixel_from_hex(blue_root), 8) && !near(centre, {0, 0, 0}, 8);
        })) << "office's desktop is not shown";
        keep("switch", "office");
    }
    // Both stayed live all along: one desktop window each, their panels up.
    EXPECT_EQ(workspace("office")["views"], 1);
    EXPECT_EQ(workspace("lab")["views"], 1);
    EXPECT_TRUE(has_x_window("office", "xfce4-panel"));
    EXPECT_TRUE(has_x_window("lab", "xfce4-panel"));
}

// Autostart: real apps in two containers when the session comes up, the
// entries of one container in order, and an entry that cannot start reported
// naming config.toml and the entry while the others start.
TEST_F(Desktop, AutostartStartsAppsInTwoContainersAndReportsTheEntryThatFails)
{
    create("mail");
    create("notes");
    std::map<std::string, std::string> policies;
    for (const char* name : {"mail", "notes"}) {
        std::ifstream in(s().runtime_dir() / "config/ctopbroker/containers" / (std::string(name) + ".toml"));
        std::stringstream text;
        text << in.rdbuf();
        ASSERT_FALSE(text.str().empty()) << name << ": no policy file";
        policies[std::string("containers/") + name + ".toml"] = text.str();
    }
    // A session of its own, with the containers' policies and this config.
    s_.reset();
    s_ = std::make_unique<Session>(std::vector<std::string>{},
                                   "autostart = [\"mail:foot\", \"notes:gtk4-demo\", \"ghost:foot\", \"notes:foot\"]\n",
                                   policies);
    EXPECT_TRUE(s().wait_views("mail", 1, std::chrono::seconds(90))) << s().log();
    EXPECT_TRUE(s().wait_views("notes", 2, std::chrono::seconds(90))) << s().log();
    json apps = json::array();
    ASSERT_EQ(s().key("Super+" + std::to_string(workspace("notes")["slot"].get<int>())), "");
    std::this_thread::sleep_for(std::chrono::seconds(1));
    s().screenshot("autostart");
    keep("autostart");
    json views = s().views();
    for (const auto& v : views) apps.push_back(v["container"].get<std::string>() + ":" + v.value("app_id", ""));
    EXPECT_NE(std::find(apps.begin(), apps.end(), "mail:foot"), apps.end()) << apps.dump();
    EXPECT_NE(std::find(apps.begin(), apps.end(), "notes:foot"), apps.end()) << apps.dump();
    // GTK names its window by the application id when the container's session bus is up, else by the program.
    EXPECT_TRUE(std::find(apps.begin(), apps.end(), "notes:org.gtk.Demo4") != apps.end() ||
                std::find(apps.begin(), apps.end(), "notes:gtk4-demo") != apps.end())
        << apps.dump();
    EXPECT_TRUE(wait_until([&] {
        return s().log().find("config.toml: autostart \"ghost:foot\" failed") != std::string::npos;
    })) << s().log();
    EXPECT_TRUE(s().alive());
}

// A desktop spawned while the user is in another workspace already fits its
// own when they switch to it (a hidden X window gets to draw the size it was
// asked for), and Super+F leaves its fullscreen for a framed window inside the
// workspace below the bar, not one as tall as the output.
TEST_F(Desktop, ADesktopStartedInTheBackgroundFitsWhenShownAndSuperFKeepsItBelowTheBar)
{
    create("office", {"--desktop", xfce_bare});
    Image size = s().screenshot("size");
    const int width = size.width, height = size.height;
    std::string out, err;
    ASSERT_EQ(s().cli({"spawn", "office", "--desktop"}, &out, &err), 0) << err;
    ASSERT_TRUE(s().wait_views("office", 1, std::chrono::seconds(60))) << "no desktop window\n" << s().log();
    ASSERT_NE(s().status()["current_workspace"], "office");
    // Still hidden: its window takes the workspace's size below the bar.
    json v;
    EXPECT_TRUE(wait_until(
        [&] {
            v = view_of("office");
            return !v.is_null() && v["x"] == 0 && v["width"] == width && v["y"].get<int>() > 0 &&
                   v["y"].get<int>() + v["height"].get<int>() == height;
        },
        std::chrono::seconds(30)))
        << "hidden, the desktop keeps the size it mapped with: " << v.dump();
    EXPECT_NE(s().status()["current_workspace"], "office");
    const int bar = v["y"];
    ASSERT_EQ(s().cli({"workspace", "office"}), 0);
    ASSERT_TRUE(wait_until([&] { return has_x_window("office", "xfce4-panel"); }, std::chrono::seconds(90)))
        << "xfce4-panel never mapped on the desktop's display";
    ASSERT_EQ(exec("office", {"sh", "-c", "DISPLAY=:1 xsetroot -solid '" + blue_root + "'"}), 0);
    // Shown: its own pixels down to the bottom row.
    EXPECT_TRUE(wait_until([&] {
        Image shot = s().screenshot("shown");
        return near(shot.at(width / 4, height - 2), pixel_from_hex(blue_root), 8);
    })) << "the desktop does not reach the bottom of the screen";
    keep("shown");

    // Super+F: a framed window, all of it (frame included) below the bar and on screen.
    ASSERT_EQ(s().key("Super+F"), "");
    EXPECT_TRUE(wait_until(
        [&] {
            v = view_of("office");
            return !v.is_null() && v["y"].get<int>() > bar && v["x"].get<int>() > 0 &&
                   v["x"].get<int>() + v["width"].get<int>() < width &&
                   v["y"].get<int>() + v["height"].get<int>() < height;
        },
        std::chrono::seconds(20)))
        << "after Super+F the desktop does not fit the workspace below the bar: " << v.dump();
    // Its X screen followed the window: the panel lays itself out on what is shown.
    std::string dims;
    exec("office", {"sh", "-c", "DISPLAY=:1 xdpyinfo | grep dimensions"}, &dims);
    EXPECT_NE(
        dims.find(std::to_string(v["width"].get<int>()) + "x" + std::to_string(v["height"].get<int>()) + " pixels"),
        std::string::npos)
        << dims << " for " << v.dump();
    Image framed = s().screenshot("framed");
    keep("framed");
    // The bar is drawn above it, not the desktop's pixels.
    EXPECT_FALSE(near(framed.at(width / 2, bar - 2), pixel_from_hex(blue_root), 8));
    EXPECT_TRUE(s().alive());
}
