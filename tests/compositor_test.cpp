// The compositor with real clients: windows map into the right workspace,
// keybindings switch workspaces, borders carry the workspace colour, and
// privileged globals are offered to host clients only.
#include "support/harness.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

using namespace ctop::test;
using nlohmann::json;

namespace {

json find_view(Session& s, const std::string& workspace)
{
    for (const auto& v : s.views())
        if (v["workspace"] == workspace) return v;
    return {};
}

std::string color_of(Session& s, const std::string& workspace)
{
    json status = s.status();
    for (const auto& ws : status["workspaces"])
        if (ws["name"] == workspace) return ws["color"];
    return {};
}

std::string tagged_socket(Session& s, const std::string& name)
{
    json r = s.ctl({{"cmd", "socket"}, {"name", name}});
    EXPECT_TRUE(r.value("ok", false)) << r.dump();
    return r.value("socket", "");
}

bool is_background(Image::Pixel p)
{
    return p.r == 0 && p.g == 0 && p.b == 0;
}

// Pixels of the screen (below the bar) that are not background and lie
// outside every view's frame: border, title strip and label included.
int pixels_outside_frames(Session& s, const Image& shot)
{
    const int border = 4, title = 22, bar = 24;
    json views = s.views();
    int count = 0;
    for (int y = bar; y < shot.height; ++y)
        for (int x = 0; x < shot.width; ++x) {
            bool inside = false;
            for (const auto& v : views) {
                int vx = v["x"], vy = v["y"], w = std::max(v["width"].get<int>(), 60),
                    h = std::max(v["height"].get<int>(), 24);
                inside |= x >= vx - border && x < vx + w + border && y >= vy - border - title && y < vy + h + border;
            }
            count += !inside && !is_background(shot.at(x, y));
        }
    return count;
}

int count_color(const Image& shot, Image::Pixel want)
{
    int count = 0;
    for (int y = 0; y < shot.height; ++y)
        for (int x = 0; x < shot.width; ++x) count += near(shot.at(x, y), want, 8);
    return count;
}

int changed_pixels(const Image& a, const Image& b, int x0, int y0, int x1, int y1)
{
    int count = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) count += !near(a.at(x, y), b.at(x, y), 0);
    return count;
}

}  // namespace

TEST(Compositor, FootWindowMapsOnTheHostWorkspace)
{
    Session s;
    s.spawn({"foot", "--app-id", "test-foot", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    json v = find_view(s, "host");
    EXPECT_EQ(v["app_id"], "test-foot");
    EXPECT_EQ(v["container"], "host");
    EXPECT_GT(v["width"].get<int>(), 100);
    EXPECT_TRUE(v["focused"].get<bool>());
}

TEST(Compositor, TaggedClientLandsInItsOwnWorkspaceWithoutStealingFocus)
{
    Session s;
    s.spawn({"foot", "--app-id", "host-term", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    std::string sock = tagged_socket(s, "alpha");
    s.spawn({"weston-simple-shm"}, {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("alpha", 1));
    json st = s.status();
    EXPECT_EQ(st["current_workspace"], "host");
    EXPECT_EQ(st["focused"]["container"], "host");  // still the host terminal
    EXPECT_EQ(find_view(s, "alpha")["container"], "alpha");
}

TEST(Compositor, SuperNumberAndSuperTabSwitchWorkspaces)
{
    Session s;
    std::string a = tagged_socket(s, "alpha");
    std::string b = tagged_socket(s, "beta");
    s.spawn({"weston-simple-shm"}, {{"WAYLAND_DISPLAY", a}});
    s.spawn({"weston-simple-shm"}, {{"WAYLAND_DISPLAY", b}});
    ASSERT_TRUE(s.wait_views("alpha", 1));
    ASSERT_TRUE(s.wait_views("beta", 1));

    ASSERT_EQ(s.key("Super+2"), "");
    EXPECT_EQ(s.status()["current_workspace"], "alpha");
    EXPECT_EQ(s.status()["focused"]["container"], "alpha");
    ASSERT_EQ(s.key("Super+3"), "");
    EXPECT_EQ(s.status()["current_workspace"], "beta");
    ASSERT_EQ(s.key("Super+Tab"), "");  // wraps around to the host
    EXPECT_EQ(s.status()["current_workspace"], "host");
    EXPECT_TRUE(s.status()["focused"].is_null());
    ASSERT_EQ(s.key("Super+Shift+Tab"), "");
    EXPECT_EQ(s.status()["current_workspace"], "beta");
    ASSERT_EQ(s.key("Super+9"), "");  // no such slot: nothing happens
    EXPECT_EQ(s.status()["current_workspace"], "beta");
}

TEST(Compositor, BordersAreDrawnInTheWorkspaceColour)
{
    Session s;
    std::string a = tagged_socket(s, "alpha");
    s.spawn({"weston-simple-shm"}, {{"WAYLAND_DISPLAY", a}});
    ASSERT_TRUE(s.wait_views("alpha", 1));
    ASSERT_EQ(s.key("Super+2"), "");

    json v = find_view(s, "alpha");
    int x = v["x"], y = v["y"], w = v["width"], h = v["height"];
    auto want = pixel_from_hex(color_of(s, "alpha"));
    Image shot = s.screenshot();
    auto left = shot.at(x - 2, y + h / 2), right = shot.at(x + w + 1, y + h / 2),
         bottom = shot.at(x + w / 2, y + h + 2);
    EXPECT_TRUE(near(left, want)) << left.r << "," << left.g << "," << left.b;
    EXPECT_TRUE(near(right, want)) << right.r << "," << right.g << "," << right.b;
    EXPECT_TRUE(near(bottom, want)) << bottom.r << "," << bottom.g << "," << bottom.b;
    // The title strip above the window is ours too, in the same colour.
    EXPECT_TRUE(near(shot.at(x + w - 2, y - 6), want));

    // Back on the host workspace the alpha window is not drawn at all.
    ASSERT_EQ(s.key("Super+1"), "");
    Image host = s.screenshot("host");
    EXPECT_FALSE(near(host.at(x - 2, y + h / 2), want));
}

TEST(Compositor, PrivilegedGlobalsAreOnlyOfferedOnTheHostSocket)
{
    Session s;
    std::string host_out, tagged_out;
    ASSERT_EQ(s.run({"wayland-info"}, {}, &host_out), 0);
    ASSERT_EQ(s.run({"wayland-info"}, {{"WAYLAND_DISPLAY", tagged_socket(s, "alpha")}}, &tagged_out), 0);
    for (const char* global :
         {"zwlr_screencopy_manager_v1", "zwlr_data_control_manager_v1", "zwlr_export_dmabuf_manager_v1",
          "zwlr_gamma_control_manager_v1", "zwlr_layer_shell_v1"}) {
        EXPECT_NE(host_out.find(global), std::string::npos) << global << " missing on the host socket";
        EXPECT_EQ(tagged_out.find(global), std::string::npos) << global << " offered to a container";
    }
    for (const char* global : {"wl_compositor", "xdg_wm_base", "wl_seat", "wl_shm"})
        EXPECT_NE(tagged_out.find(global), std::string::npos) << global << " should be offered to containers";
}

TEST(Compositor, BindingKeysNeverReachTheFocusedClient)
{
    Session s;
    auto out = s.runtime_dir() / "typed.txt";
    // foot runs `cat`, which writes whatever the terminal receives to a file.
    s.spawn({"foot", "--app-id", "typist", "sh", "-c", "stty -echo -icanon; exec cat > " + out.string()});
    ASSERT_TRUE(s.wait_views("host", 1));
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(out); }));
    auto typed = [&] {
        std::ifstream in(out);
        return std::string((std::istreambuf_iterator<char>(in)), {});
    };
    ASSERT_EQ(s.ctl({{"cmd", "type"}, {"text", "ab"}})["ok"], true);
    ASSERT_TRUE(wait_until([&] { return typed() == "ab"; })) << typed();
    ASSERT_EQ(s.key("Super+2"), "");  // bindings: the terminal must see neither key
    ASSERT_EQ(s.key("Super+f"), "");
    ASSERT_EQ(s.ctl({{"cmd", "type"}, {"text", "cd"}})["ok"], true);
    ASSERT_TRUE(wait_until([&] { return typed().size() >= 4; }));
    EXPECT_EQ(typed(), "abcd");
}

TEST(Compositor, SessionSurvivesAClientThatIsKilledMidFrame)
{
    Session s;
    pid_t shm = s.spawn({"weston-simple-shm"});
    ASSERT_TRUE(s.wait_views("host", 1));
    s.kill_client(shm);
    ASSERT_TRUE(s.wait_views("host", 0));
    EXPECT_TRUE(s.alive());
    s.spawn({"weston-simple-shm"});
    EXPECT_TRUE(s.wait_views("host", 1));
}

TEST(Config, KeybindingsAndKeyboardComeFromConfigToml)
{
    Session s({}, "[keyboard]\nlayout = \"us\"\nrepeat_rate = 30\n[keybindings]\nnext_workspace = \"Super+n\"\n");
    s.ctl({{"cmd", "socket"}, {"name", "alpha"}});
    ASSERT_EQ(s.key("Super+n"), "");
    EXPECT_EQ(s.status()["current_workspace"], "alpha");
    ASSERT_EQ(s.key("Super+Tab"), "");  // the default it replaced does nothing now
    EXPECT_EQ(s.status()["current_workspace"], "alpha");
}

TEST(Config, ABadConfigStopsTheSessionWithTheKeyNamed)
{
    EXPECT_THROW(
        {
            try {
                Session s({}, "[keybindings]\nteleport = \"Super+t\"\n");
            } catch (const std::runtime_error& e) {
                EXPECT_NE(std::string(e.what()).find("keybindings.teleport: unknown action"), std::string::npos)
                    << e.what();
                throw;
            }
        },
        std::runtime_error);
}

TEST(Compositor, RunsNestedInsideAnotherSession)
{
    Session outer;
    auto inner_dir = outer.runtime_dir() / "inner";
    std::filesystem::create_directories(inner_dir);
    std::filesystem::permissions(inner_dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
    outer.spawn({std::getenv("CTOPBROKER_BIN"), "session"},
                {{"XDG_RUNTIME_DIR", inner_dir.string()}, {"WAYLAND_DISPLAY", outer.host_socket()}});
    // The nested session is one window of the outer one.
    ASSERT_TRUE(outer.wait_views("host", 1));
    std::string out;
    ASSERT_TRUE(wait_until([&] {
        return outer.run({std::getenv("CTOPBROKER_BIN"), "status"}, {{"XDG_RUNTIME_DIR", inner_dir.string()}}, &out) ==
               0;
    }));
    EXPECT_NE(out.find("nested backend"), std::string::npos) << out;
}

TEST(Frames, AGtkMenuOpenedFromTheKeyboardIsDrawnAndTheWindowStaysInItsFrame)
{
    if (which("mousepad").empty()) GTEST_SKIP() << "mousepad is not installed (scripts/deps.sh)";
    Session s;
    s.spawn({"mousepad"}, {{"GSETTINGS_BACKEND", "memory"}, {"NO_AT_BRIDGE", "1"}});
    ASSERT_TRUE(s.wait_views("host", 1));
    json v = find_view(s, "host");
    int x = v["x"], y = v["y"], w = v["width"], h = v["height"];
    // Let the client-side decorated window settle, then nothing it draws
    // (its shadow included) may show outside the frame we draw.
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    Image before = s.screenshot("before");
    EXPECT_EQ(pixels_outside_frames(s, before), 0);
    // The header bar starts at the top-left of the content, not 20 px in.
    EXPECT_FALSE(is_background(before.at(x + 2, y + 2)));

    ASSERT_EQ(s.key("F10"), "");  // opens the File menu: an xdg_popup
    // The menu is mostly white over a white text area: its items and lines
    // are what changes.
    Image menu;
    int changed = 0;
    ASSERT_TRUE(wait_until([&] {
        menu = s.screenshot("menu");
        changed = changed_pixels(before, menu, x, y, x + w, y + h);
        return changed > 5000;
    })) << "no menu appeared after F10: "
        << changed << " pixels changed";
    EXPECT_EQ(pixels_outside_frames(s, menu), 0);

    ASSERT_EQ(s.key("Escape"), "");  // and it goes away again
    EXPECT_TRUE(wait_until([&] { return changed_pixels(before, s.screenshot("closed"), x, y, x + w, y + h) < 2000; }));
}

// Windows are blitted at their offset by compositor/blit_renderer.cpp, not
// through wlroots' pixman transform: the same windows (a terminal's text, a
// GTK window cropped to its geometry, with its translucent edges, our frames
// and labels) look the same to the pixel either way.
TEST(Frames, WindowsLookPixelForPixelAsWlrootsOwnDrawingShowsThem)
{
    auto shoot = [](bool wlroots_drawing) {
        if (wlroots_drawing) setenv("CTOPBROKER_SLOW_BLITS", "1", 1);
        Session s;
        unsetenv("CTOPBROKER_SLOW_BLITS");
        s.spawn({"foot", "sh", "-c", "printf 'ctopbroker blit\\n'; ls -l /usr/bin | head -40; exec sleep 60"});
        EXPECT_TRUE(s.wait_views("host", 1));
        s.spawn({"gtk4-demo"});
        EXPECT_TRUE(s.wait_views("host", 2));
        std::this_thread::sleep_for(std::chrono::seconds(2));  // both have drawn their content
        return s.screenshot(wlroots_drawing ? "wlroots" : "blit");
    };
    Image wlroots = shoot(true), ours = shoot(false);
    ASSERT_EQ(wlroots.width, ours.width);
    ASSERT_EQ(wlroots.height, ours.height);
    EXPECT_EQ(changed_pixels(wlroots, ours, 0, 0, ours.width, ours.height), 0);
}

TEST(Frames, AOneByOneWindowCannotPaintAFakeLabelOrEscapeItsFrame)
{
    Session s;
    std::string sock = tagged_socket(s, "alpha");
    s.spawn({std::getenv("HOSTILE_CLIENT"), "forge", "60"}, {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("alpha", 1));
    ASSERT_EQ(s.key("Super+2"), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Image shot = s.screenshot();
    // A 640x120 red buffer and a 300x300 green subsurface: at most the one
    // pixel of the 1x1 window geometry may show.
    EXPECT_LE(count_color(shot, {255, 0, 0}) + count_color(shot, {0, 255, 0}), 1);

    // The frame is wide enough to name the container: its title strip runs
    // well past the 1 px of content.
    json v = find_view(s, "alpha");
    int x = v["x"], y = v["y"];
    EXPECT_EQ(v["width"], 1);
    auto colour = pixel_from_hex(color_of(s, "alpha"));
    EXPECT_TRUE(near(shot.at(x + 40, y - 2), colour));
    EXPECT_EQ(pixels_outside_frames(s, shot), 0);
}

namespace {

// Where a colour's pixels begin: its top-left-most (x, y), or (-1, -1).
std::pair<int, int> top_left_of(const Image& shot, Image::Pixel want)
{
    int x0 = -1, y0 = -1;
    for (int y = 0; y < shot.height; ++y)
        for (int x = 0; x < shot.width; ++x) {
            auto p = shot.at(x, y);
            if (p.r != want.r || p.g != want.g || p.b != want.b) continue;
            if (x0 < 0 || x < x0) x0 = x;
            if (y0 < 0 || y < y0) y0 = y;
        }
    return {x0, y0};
}

// hostile_client sprawl: a blue 200x100 surface without a window geometry of
// its own, a green 60x40 subsurface at (-30, -20) over its top-left 30x20,
// which jumps to (-60, -40) after `delay` seconds.
void spawn_sprawl(Session& s, int delay)
{
    std::string sock = tagged_socket(s, "alpha");
    s.spawn({std::getenv("HOSTILE_CLIENT"), "sprawl", "60", std::to_string(delay)}, {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("alpha", 1));
    ASSERT_EQ(s.key("Super+2"), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
}

Image after_the_jump(Session& s)
{
    EXPECT_TRUE(wait_until([&] { return find_view(s, "alpha")["width"] == 260; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(find_view(s, "alpha")["height"], 140);
    return s.screenshot("sprawl-after");
}

}  // namespace

TEST(Frames, AWindowWithoutItsOwnGeometryShowsItsSubsurfacesLeftOfItAndItsMainSurfaceStaysStill)
{
    Session s;
    spawn_sprawl(s, 4);
    json v = find_view(s, "alpha");
    int x = v["x"], y = v["y"];
    ASSERT_EQ(s.pointer({"drag", std::to_string(x + 100), std::to_string(y - 10), std::to_string(x + 500),
                         std::to_string(y + 290)}),
              "");  // by its label, away from the screen's edges
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // The frame encloses both surfaces.
    Image before = s.screenshot("sprawl-before");
    v = find_view(s, "alpha");
    EXPECT_EQ(v["width"], 230);
    EXPECT_EQ(v["height"], 120);
    EXPECT_EQ(count_color(before, {0, 255, 0}), 60 * 40);
    EXPECT_EQ(count_color(before, {0, 0, 255}), 200 * 100 - 30 * 20);
    EXPECT_EQ(pixels_outside_frames(s, before), 0);

    // The window grows left and up; the blue surface stays where the user saw it.
    Image after = after_the_jump(s);
    EXPECT_EQ(count_color(after, {0, 255, 0}), 60 * 40);
    EXPECT_EQ(count_color(after, {0, 0, 255}), 200 * 100);
    EXPECT_EQ(top_left_of(after, {0, 0, 255}), top_left_of(before, {0, 0, 255}));
    EXPECT_EQ(pixels_outside_frames(s, after), 0);
}

TEST(Frames, ATitleWithEscapesAndInvalidUtf8NeverReachesTheTerminal)
{
    Session s;
    std::string sock = tagged_socket(s, "alpha");
    s.spawn({std::getenv("HOSTILE_CLIENT"), "forge", "60"}, {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("alpha", 1));
    std::string title = find_view(s, "alpha")["title"];
    EXPECT_EQ(title.find('\x1b'), std::string::npos) << title;
    EXPECT_EQ(title.find("\u202e"), std::string::npos) << title;
    EXPECT_NE(title.find("bank"), std::string::npos) << title;
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"views"}, {"status"}, {"list"}, {"views", "--json"}}) {
        std::string out, err;
        EXPECT_EQ(s.cli(args, &out, &err), 0) << args[0] << ": " << err;
        for (unsigned char c : out + err) EXPECT_TRUE(c >= 0x20 || c == '\n') << args[0] << " printed byte " << int(c);
    }
}

TEST(Placement, ADialogOpensCentredOnItsWindow)
{
    if (which("mousepad").empty()) GTEST_SKIP() << "mousepad is not installed (scripts/deps.sh)";
    Session s;
    s.spawn({"mousepad"}, {{"GSETTINGS_BACKEND", "memory"}, {"NO_AT_BRIDGE", "1"}});
    ASSERT_TRUE(s.wait_views("host", 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ASSERT_EQ(s.key("Ctrl+l"), "");  // "Go To": a small dialog with the editor as its parent
    ASSERT_TRUE(s.wait_views("host", 2));
    json dialog, parent;
    for (const auto& v : s.views()) (v["focused"].get<bool>() ? dialog : parent) = v;
    int pcx = parent["x"].get<int>() + parent["width"].get<int>() / 2;
    int pcy = parent["y"].get<int>() + parent["height"].get<int>() / 2;
    int dcx = dialog["x"].get<int>() + dialog["width"].get<int>() / 2;
    int dcy = dialog["y"].get<int>() + dialog["height"].get<int>() / 2;
    EXPECT_NEAR(dcx, pcx, 2) << dialog.dump() << parent.dump();
    EXPECT_NEAR(dcy, pcy, 2) << dialog.dump() << parent.dump();
}

TEST(Placement, AWindowLargerThanTheScreenIsShrunkToFitBelowTheBar)
{
    Session s;
    s.spawn({"foot", "--window-size-pixels=2000x1500", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    json v;
    ASSERT_TRUE(wait_until([&] {
        v = find_view(s, "host");
        return v["width"].get<int>() < 2000;
    })) << v.dump();
    const int border = 4, title = 22, bar = 24;
    EXPECT_GE(v["x"].get<int>() - border, 0);
    EXPECT_GE(v["y"].get<int>() - border - title, bar);
    EXPECT_LE(v["x"].get<int>() + v["width"].get<int>() + border, 1280);
    EXPECT_LE(v["y"].get<int>() + v["height"].get<int>() + border, 720);
}

TEST(Fullscreen, AFullscreenWindowCoversAllButTheBarWhichStillNamesItsContainer)
{
    Session s;
    std::string sock = tagged_socket(s, "alpha");
    ASSERT_EQ(s.key("Super+2"), "");
    s.spawn({"foot", "--fullscreen", "sh", "-c", "sleep 60"}, {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("alpha", 1));
    json v;
    ASSERT_TRUE(wait_until([&] {
        v = find_view(s, "alpha");
        return v["width"] == 1280;
    })) << v.dump();
    EXPECT_EQ(v["x"], 0);
    EXPECT_EQ(v["y"], 24);
    EXPECT_EQ(v["height"], 720 - 24);
    // The bar is still there, with the current workspace's tab in alpha's colour.
    Image shot = s.screenshot();
    auto colour = pixel_from_hex(color_of(s, "alpha"));
    int tab_pixels = 0;
    for (int x = 0; x < 400; ++x) tab_pixels += near(shot.at(x, 4), colour);
    EXPECT_GT(tab_pixels, 20);
    // Super+F leaves fullscreen: the frame (and its label) are back.
    ASSERT_EQ(s.key("Super+f"), "");
    EXPECT_TRUE(wait_until([&] { return find_view(s, "alpha")["width"] != 1280; }));
}
