// Layer shell with real host clients (GTK panels through gtk-layer-shell,
// tests/layer_panel.py): a panel reserves its edge and windows stay out of
// it while the bar stays on top; an overlay that asks for the keyboard
// exclusively gets every key but the compositor's bindings, and gives it
// back when it goes; a panel taking the keyboard on demand gets it as it
// appears and when clicked, gives it up to a window clicked, and opens its
// menus (xdg popups of a layer surface) above the windows.
#include "support/harness.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

using namespace ctop::test;
using nlohmann::json;

namespace {

constexpr int bar_height = 24, border = 4, title = 22;

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

// A layer-shell panel (tests/layer_panel.py) on the host socket.
pid_t start_panel(Session& s, std::vector<std::string> args)
{
    // Debian's python3, which has the GTK bindings (not one first in PATH).
    std::vector<std::string> argv = {"/usr/bin/python3", std::getenv("LAYER_PANEL")};
    argv.insert(argv.end(), args.begin(), args.end());
    return s.spawn(argv, {{"GDK_BACKEND", "wayland"}});
}

// A host terminal whose `cat` writes every key it receives to a file.
std::filesystem::path start_typist(Session& s)
{
    auto out = s.runtime_dir() / "typed.txt";
    s.spawn({"foot", "--app-id", "typist", "sh", "-c", "stty -echo -icanon; exec cat > " + out.string()});
    EXPECT_TRUE(s.wait_views("host", 1));
    EXPECT_TRUE(wait_until([&] { return std::filesystem::exists(out); }));
    return out;
}

int usable_y(Session& s)
{
    return s.status()["usable_area"]["y"];
}

}  // namespace

TEST(LayerShell, APanelReservesItsEdgeAMaximizedWindowStaysBelowItAndTheBarStaysOnTop)
{
    Session s;
    start_typist(s);
    ASSERT_EQ(s.key("Super+f"), "");  // maximized: it follows the usable area
    ASSERT_TRUE(wait_until([&] { return s.views()[0]["y"] == bar_height + border + title; }));

    pid_t panel = start_panel(s, {"--edge", "top", "--size", "40", "--exclusive", "--color", "#00c000"});
    ASSERT_TRUE(wait_until([&] { return usable_y(s) == bar_height + 40; })) << s.status().dump();
    EXPECT_EQ(s.status()["layer_surfaces"], 1);
    // The window moved down out of the panel's zone, and shrank by as much.
    ASSERT_TRUE(wait_until([&] { return s.views()[0]["y"] == bar_height + 40 + border + title; })) << s.views().dump();

    Image shot = s.screenshot("panel");
    EXPECT_TRUE(near(shot.at(640, bar_height + 20), pixel_from_hex("#00c000"), 8)) << "the panel is not drawn";
    EXPECT_TRUE(near(shot.at(100, bar_height + 2), pixel_from_hex("#00c000"), 8));
    // The bar is still ours, above the panel's edge: not the panel's green.
    EXPECT_FALSE(near(shot.at(1270, 4), pixel_from_hex("#00c000"), 40)) << "the panel covers the bar";

    s.kill_client(panel);
    ASSERT_TRUE(wait_until([&] { return usable_y(s) == bar_height; }));
    EXPECT_TRUE(wait_until([&] { return s.views()[0]["y"] == bar_height + border + title; }));
    EXPECT_EQ(s.status()["layer_surfaces"], 0);
}

TEST(LayerShell, ABottomPanelReservesTheBottomEdgeForNewWindows)
{
    Session s;
    start_panel(s, {"--edge", "bottom", "--size", "50", "--exclusive", "--color", "#c00000"});
    ASSERT_TRUE(wait_until([&] { return s.status()["usable_area"]["height"] == 720 - bar_height - 50; }))
        << s.status().dump();
    s.spawn({"foot", "--app-id", "tall", "--window-size-pixels", "600x2000", "sleep", "60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    ASSERT_TRUE(wait_until([&] {
        json v = s.views()[0];
        return v["y"].get<int>() + v["height"].get<int>() + border <= 720 - 50;
    })) << s.views().dump();
    Image shot = s.screenshot("bottom");
    EXPECT_TRUE(near(shot.at(640, 720 - 25), pixel_from_hex("#c00000"), 8));
}

TEST(LayerShell, AnOverlayTakingTheKeyboardExclusivelyGetsEveryKeyButTheCompositorsBindings)
{
    Session s;
    auto typed = start_typist(s);
    ASSERT_EQ(s.type("ab"), "");
    ASSERT_TRUE(wait_until([&] { return read_file(typed) == "ab"; }));

    auto got = s.runtime_dir() / "overlay.txt";
    pid_t overlay = start_panel(s, {"--layer", "overlay", "--edge", "none", "--size", "60", "--keyboard", "exclusive",
                                    "--color", "#0000c0", "--out", got.string()});
    ASSERT_TRUE(wait_until([&] { return contains(read_file(got), "mapped"); }));
    ASSERT_TRUE(wait_until([&] { return s.status()["keyboard_on_layer_surface"] == true; }));
    ASSERT_EQ(s.type("xy"), "");
    ASSERT_TRUE(wait_until([&] { return contains(read_file(got), "key y"); })) << read_file(got);
    EXPECT_TRUE(contains(read_file(got), "key x"));

    // A binding still works (the terminal maximizes), and the overlay sees no 'f'.
    int y_before = s.views()[0]["y"];
    ASSERT_EQ(s.key("Super+f"), "");
    ASSERT_TRUE(wait_until([&] { return s.views()[0]["y"] != y_before; }));
    // A click on the window below does not take the keyboard from it either.
    json v = s.views()[0];
    ASSERT_EQ(s.move_pointer(v["x"].get<int>() + 20, v["y"].get<int>() + v["height"].get<int>() - 20), "");
    ASSERT_EQ(s.click(), "");
    ASSERT_EQ(s.type("z"), "");
    ASSERT_TRUE(wait_until([&] { return contains(read_file(got), "key z"); })) << read_file(got);
    EXPECT_FALSE(contains(read_file(got), "key f"));
    EXPECT_EQ(read_file(typed), "ab");

    Image shot = s.screenshot("overlay");
    EXPECT_TRUE(near(shot.at(640, 360), pixel_from_hex("#0000c0"), 8)) << "the overlay is not centred on the output";

    // It goes: the terminal has the keyboard again.
    s.kill_client(overlay);
    ASSERT_TRUE(wait_until([&] { return s.status()["keyboard_on_layer_surface"] == false; }));
    ASSERT_EQ(s.type("cd"), "");
    EXPECT_TRUE(wait_until([&] { return read_file(typed) == "abcd"; })) << read_file(typed);
}

TEST(LayerShell, APanelClickedGetsTheKeyboardOnDemandAndItsMenuOpensAboveTheWindows)
{
    Session s;
    auto typed = start_typist(s);
    auto got = s.runtime_dir() / "panel.txt";
    start_panel(s, {"--edge", "top", "--size", "40", "--exclusive", "--keyboard", "on_demand", "--out", got.string()});
    ASSERT_TRUE(wait_until([&] { return contains(read_file(got), "mapped"); }));
    // Above the windows, it gets the keyboard as it appears (as in sway: the
    // user just opened it); a click on the terminal takes it back.
    ASSERT_TRUE(wait_until([&] { return s.status()["keyboard_on_layer_surface"] == true; }));
    json term = s.views()[0];
    ASSERT_EQ(s.move_pointer(term["x"].get<int>() + 30, term["y"].get<int>() + 30), "");
    ASSERT_EQ(s.click(), "");
    ASSERT_TRUE(wait_until([&] { return s.status()["keyboard_on_layer_surface"] == false; }));

    // A click on the panel gives it the keyboard again.
    ASSERT_EQ(s.move_pointer(300, bar_height + 20), "");
    ASSERT_EQ(s.click(), "");
    ASSERT_TRUE(wait_until([&] { return s.status()["keyboard_on_layer_surface"] == true; }));
    // The menu (an xdg_popup of the layer surface) opens at the pointer, over the terminal.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    Image menu = s.screenshot("menu");
    int changed = 0;
    for (int y = bar_height + 45; y < bar_height + 100; ++y)
        for (int x = 305; x < 360; ++x) {
            auto a = menu.at(x, y);
            changed += a.r > 150 && a.g > 150 && a.b > 150;  // the menu's light background
        }
    EXPECT_GT(changed, 500) << "no menu drawn below the panel";
    ASSERT_EQ(s.move_pointer(330, bar_height + 20 + 14), "");
    ASSERT_EQ(s.click(), "");
    ASSERT_TRUE(wait_until([&] { return contains(read_file(got), "menu First"); })) << read_file(got);

    ASSERT_EQ(s.type("q"), "");
    ASSERT_TRUE(wait_until([&] { return contains(read_file(got), "key q"); })) << read_file(got);
    // A click on the terminal takes the keyboard back to it.
    json v = s.views()[0];
    ASSERT_EQ(s.move_pointer(v["x"].get<int>() + 30, v["y"].get<int>() + 30), "");
    ASSERT_EQ(s.click(), "");
    ASSERT_TRUE(wait_until([&] { return s.status()["keyboard_on_layer_surface"] == false; }));
    ASSERT_EQ(s.type("w"), "");
    EXPECT_TRUE(wait_until([&] { return read_file(typed) == "w"; })) << read_file(typed);
}
