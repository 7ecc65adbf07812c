// Input with real clients: the test pointer moves, clicks, scrolls and drags
// through the same path as a mouse; windows are moved and resized with it;
// any Unicode text can be typed.
#include "support/harness.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

using namespace ctop::test;
using nlohmann::json;

namespace {

json find_view(Session& s, const std::string& app_id)
{
    for (const auto& v : s.views())
        if (v["app_id"] == app_id) return v;
    return {};
}

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

// `ctopbroker ARGS...`; "" on success, else what it printed on stderr.
std::string cli(Session& s, const std::vector<std::string>& args)
{
    std::string out, err;
    return s.cli(args, &out, &err) == 0 ? "" : (err.empty() ? "failed" : err);
}

std::string pointer_error(Session& s, json request)
{
    request["cmd"] = "pointer";
    json r = s.ctl(request);
    return r.value("ok", false) ? "" : r.value("error", "?");
}

}  // namespace

TEST(Pointer, ClicksAndTheWheelReachTheWindowUnderThePointer)
{
    Session s;
    auto log = s.runtime_dir() / "events.log";
    s.spawn({"sh", "-c", "exec stdbuf -oL weston-eventdemo --log-button --log-axis > " + log.string()});
    ASSERT_TRUE(s.wait_views("host", 1));
    json v = s.views()[0];
    std::string x = std::to_string(v["x"].get<int>() + v["width"].get<int>() / 2);
    std::string y = std::to_string(v["y"].get<int>() + v["height"].get<int>() / 2);
    ASSERT_EQ(cli(s, {"pointer", "move", x, y}), "");
    ASSERT_EQ(cli(s, {"pointer", "click"}), "");
    ASSERT_EQ(cli(s, {"pointer", "click", "right"}), "");
    ASSERT_EQ(cli(s, {"pointer", "click", "middle"}), "");
    ASSERT_EQ(cli(s, {"pointer", "scroll", "-2"}), "");
    ASSERT_TRUE(wait_until([&] { return read_file(log).find("axis: vertical, value: -30") != std::string::npos; }))
        << read_file(log);
    std::string events = read_file(log);
    for (const char* want :
         {"button: 272, state: pressed", "button: 272, state: released", "button: 273, state: pressed",
          "button: 274, state: released", "axis discrete axis: 0 value: -2"})
        EXPECT_NE(events.find(want), std::string::npos) << want << " not seen; events:\n" << events;
}

TEST(Pointer, AClickOnAWindowsInputHoleNeverReachesTheOtherClientsWindowItCovers)
{
    Session s;
    auto log = s.runtime_dir() / "events.log";
    s.spawn({"sh", "-c", "exec stdbuf -oL weston-eventdemo --log-button > " + log.string()});
    ASSERT_TRUE(s.wait_views("host", 1));
    json below = s.views()[0];
    // A bigger window over it, see-through for input everywhere: a decoy
    // whose clicks must not land on the window it hides, nor move it.
    s.spawn({std::getenv("HOSTILE_CLIENT"), "hole", "60", "1000", "600"});
    ASSERT_TRUE(s.wait_views("host", 2));
    json hole = find_view(s, "hole");
    ASSERT_FALSE(hole.is_null());
    int cx = below["x"].get<int>() + below["width"].get<int>() / 2;
    int cy = below["y"].get<int>() + below["height"].get<int>() / 2;
    ASSERT_GT(cx, hole["x"].get<int>());
    ASSERT_GT(cy, hole["y"].get<int>());
    ASSERT_LT(cx, hole["x"].get<int>() + hole["width"].get<int>());
    ASSERT_LT(cy, hole["y"].get<int>() + hole["height"].get<int>());
    ASSERT_EQ(cli(s, {"pointer", "move", std::to_string(cx), std::to_string(cy)}), "");
    ASSERT_EQ(cli(s, {"pointer", "click"}), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ(read_file(log).find("button:"), std::string::npos) << read_file(log);
    EXPECT_EQ(find_view(s, "hole")["x"], hole["x"]);

    // Left of the decoy and its frame (it was placed further right), the
    // same click does land: the log would have shown the first one.
    int px = below["x"].get<int>() + 20, py = cy;  // past its own thin frame
    ASSERT_LT(px, hole["x"].get<int>() - 2 * 4) << below << hole;
    ASSERT_EQ(cli(s, {"pointer", "move", std::to_string(px), std::to_string(py)}), "");
    ASSERT_EQ(cli(s, {"pointer", "click"}), "");
    EXPECT_TRUE(wait_until([&] { return read_file(log).find("button: 272, state: pressed") != std::string::npos; }))
        << read_file(log);
}

TEST(Pointer, ClickingAWindowFocusesIt)
{
    Session s;
    s.spawn({"foot", "--app-id", "first", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    s.spawn({"weston-simple-shm"});
    ASSERT_TRUE(s.wait_views("host", 2));
    ASSERT_TRUE(wait_until([&] { return find_view(s, "first")["focused"] == false; }));
    json first = find_view(s, "first");
    // A point of the first window the second one does not cover.
    json second;
    for (const auto& v : s.views())
        if (v["app_id"] != "first") second = v;
    int px = first["x"].get<int>() + 10, py = first["y"].get<int>() + 10;
    ASSERT_LT(px, second["x"].get<int>());
    ASSERT_EQ(cli(s, {"pointer", "move", std::to_string(px), std::to_string(py)}), "");
    ASSERT_EQ(cli(s, {"pointer", "click"}), "");
    EXPECT_EQ(find_view(s, "first")["focused"], true);
}

TEST(Pointer, DraggingTheLabelMovesTheWindow)
{
    Session s;
    s.spawn({"foot", "--app-id", "mover", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    json before = find_view(s, "mover");
    int lx = before["x"].get<int>() + 40, ly = before["y"].get<int>() - 8;  // on the label strip
    ASSERT_EQ(cli(s, {"pointer", "drag", std::to_string(lx), std::to_string(ly), std::to_string(lx + 200),
                      std::to_string(ly + 100)}),
              "");
    json after = find_view(s, "mover");
    EXPECT_EQ(after["x"].get<int>(), before["x"].get<int>() + 200);
    EXPECT_EQ(after["y"].get<int>(), before["y"].get<int>() + 100);
}

TEST(Pointer, RequestsWithBadFieldsAreRefusedNamingTheField)
{
    Session s;
    EXPECT_NE(pointer_error(s, {{"action", "teleport"}}).find("'action'"), std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", 3}}).find("'action'"), std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", "move"}, {"x", "10"}, {"y", 10}}).find("'x' must be a number"),
              std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", "move"}, {"x", 10}}).find("missing 'y'"), std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", "move"}, {"x", 10}, {"y", 100000}}).find("'y' is 100000, outside"),
              std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", "move"}, {"x", -1}, {"y", 10}}).find("'x'"), std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", "click"}, {"button", "up"}}).find("'button'"), std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", "scroll"}, {"dy", 0.5}}).find("'dy'"), std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", "scroll"}, {"dy", 1000}}).find("'dy'"), std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", "drag"}, {"x1", 1}, {"y1", 1}, {"x2", 1}}).find("'y2'"), std::string::npos);
    EXPECT_NE(pointer_error(s, {{"action", "drag"}, {"x1", 1}, {"y1", 1}, {"x2", 1}, {"y2", 1e9}}).find("'y'"),
              std::string::npos);
    // Well-formed ones still work after all that.
    EXPECT_EQ(pointer_error(s, {{"action", "move"}, {"x", 10.5}, {"y", 700}}), "");
    EXPECT_TRUE(s.alive());
}

TEST(Typing, AnyUnicodeTextArrivesInTheFocusedTerminal)
{
    Session s;
    auto out = s.runtime_dir() / "typed.txt";
    s.spawn({"foot", "--app-id", "typist", "sh", "-c", "stty -echo -icanon; exec cat > " + out.string()});
    ASSERT_TRUE(s.wait_views("host", 1));
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(out); }));
    // é and ü are on no key of the us layout, € and 漢 on none of any layout.
    ASSERT_EQ(cli(s, {"type", "aé ü € 漢\n"}), "");
    // Then the real keymap is back: shifted letters and bindings work as before.
    ASSERT_EQ(cli(s, {"type", "Zz"}), "");
    std::string want = "aé ü € 漢\nZz";
    ASSERT_TRUE(wait_until([&] { return read_file(out).size() >= want.size(); })) << read_file(out);
    EXPECT_EQ(read_file(out), want);
    s.ctl({{"cmd", "socket"}, {"name", "alpha"}});
    ASSERT_EQ(s.key("Super+2"), "");
    EXPECT_EQ(s.status()["current_workspace"], "alpha");
}

TEST(Typing, TextThatCannotBeTypedIsRefusedWithTheReason)
{
    Session s;
    auto type_error = [&](const std::string& text) {
        json r = s.ctl({{"cmd", "type"}, {"text", text}});
        return r.value("ok", false) ? std::string() : r.value("error", "?");
    };
    EXPECT_NE(type_error("bell\x07").find("control character U+0007"), std::string::npos);
    EXPECT_NE(type_error(std::string(5000, 'a')).find("at most 4096"), std::string::npos);
    EXPECT_EQ(type_error("ok"), "");
}

namespace {

std::string num(int v)
{
    return std::to_string(v);
}

}  // namespace

TEST(Moving, SuperDragMovesAndSuperRightDragResizesFromTheNearestCorner)
{
    Session s;
    s.spawn({"foot", "--app-id", "term", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    json v = find_view(s, "term");
    int x = v["x"], y = v["y"], w = v["width"], h = v["height"];
    // Super + left button anywhere on the window moves it.
    ASSERT_EQ(cli(s, {"pointer", "drag", num(x + 50), num(y + 50), num(x + 150), num(y + 90), "--hold", "Super"}), "");
    v = find_view(s, "term");
    EXPECT_EQ(v["x"].get<int>(), x + 100);
    EXPECT_EQ(v["y"].get<int>(), y + 40);
    x += 100, y += 40;
    // Super + right button in the top-left quarter drags that corner; the
    // bottom-right corner stays where it was.
    ASSERT_EQ(cli(s, {"pointer", "drag", num(x + 20), num(y + 20), num(x + 120), num(y + 70), "--hold", "Super",
                      "--button", "right"}),
              "");
    ASSERT_TRUE(wait_until([&] { return find_view(s, "term")["width"].get<int>() == w - 100; }))
        << find_view(s, "term").dump();
    v = find_view(s, "term");
    EXPECT_EQ(v["height"].get<int>(), h - 50);
    EXPECT_EQ(v["x"].get<int>() + v["width"].get<int>(), x + w);
    EXPECT_EQ(v["y"].get<int>() + v["height"].get<int>(), y + h);
}

TEST(Resizing, DraggingTheBorderResizesAndTheClientDrawsTheNewSize)
{
    Session s;
    s.spawn({"foot", "--app-id", "term", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    json v = find_view(s, "term");
    int x = v["x"], y = v["y"], w = v["width"], h = v["height"];
    uint64_t commits = v["commits"];
    // The right border (4 px outside the content), then the bottom one.
    ASSERT_EQ(cli(s, {"pointer", "drag", num(x + w + 1), num(y + h / 2), num(x + w + 121), num(y + h / 2)}), "");
    ASSERT_TRUE(wait_until([&] { return find_view(s, "term")["width"].get<int>() == w + 120; }))
        << find_view(s, "term").dump();
    ASSERT_EQ(cli(s, {"pointer", "drag", num(x + w / 2), num(y + h + 1), num(x + w / 2), num(y + h - 99)}), "");
    ASSERT_TRUE(wait_until([&] { return find_view(s, "term")["height"].get<int>() == h - 100; }))
        << find_view(s, "term").dump();
    v = find_view(s, "term");
    EXPECT_EQ(v["x"].get<int>(), x);  // right and bottom edges: the window stays put
    EXPECT_EQ(v["y"].get<int>(), y);
    EXPECT_GT(v["commits"].get<uint64_t>(), commits);
    // The client drew the new size: its right edge is now where the border was dragged to.
    Image shot = s.screenshot();
    auto border = pixel_from_hex(s.status()["workspaces"][0]["color"]);
    EXPECT_TRUE(near(shot.at(x + w + 120 + 1, y + 50), border));
    EXPECT_FALSE(near(shot.at(x + w + 60, y + 50), border));
}

TEST(Moving, AWindowCannotStartAGrabWithoutAClick)
{
    Session s;
    auto out = s.runtime_dir() / "grabby.json";
    std::string sock = s.ctl({{"cmd", "socket"}, {"name", "alpha"}})["socket"];
    s.spawn({"sh", "-c", std::string(std::getenv("HOSTILE_CLIENT")) + " grabby 30 > " + out.string()},
            {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("alpha", 1));
    ASSERT_EQ(s.key("Super+2"), "");
    json v = find_view(s, "grabby");
    int x = v["x"], y = v["y"], w = v["width"], h = v["height"];
    // The window asks to be moved and resized on every enter and motion.
    ASSERT_EQ(cli(s, {"pointer", "move", num(x + w / 2), num(y + h / 2)}), "");
    ASSERT_EQ(cli(s, {"pointer", "move", num(x + w / 2 + 5), num(y + h / 2 + 5)}), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(cli(s, {"pointer", "move", num(x + w / 2 + 300), num(y + h / 2 + 200)}), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    v = find_view(s, "grabby");
    EXPECT_EQ(v["x"].get<int>(), x);
    EXPECT_EQ(v["y"].get<int>(), y);
    EXPECT_EQ(v["width"].get<int>(), w);
    // With a real press the same request is honoured: the window follows the drag.
    ASSERT_EQ(cli(s, {"pointer", "drag", num(x + w / 2), num(y + h / 2), num(x + w / 2 + 200), num(y + h / 2 + 100)}),
              "");
    v = find_view(s, "grabby");
    EXPECT_GT(v["x"].get<int>(), x + 100);
    EXPECT_GT(v["y"].get<int>(), y + 50);
}

TEST(Moving, DraggingAGtkHeaderBarMovesTheWindow)
{
    if (which("gtk4-demo").empty()) GTEST_SKIP() << "gtk4-demo is not installed (scripts/deps.sh)";
    Session s;
    s.spawn({"gtk4-demo"}, {{"GDK_BACKEND", "wayland"}, {"GTK_A11Y", "none"}});
    ASSERT_TRUE(s.wait_views("host", 1, std::chrono::seconds(30)));
    ASSERT_TRUE(wait_until([&] { return find_view(s, "gtk4-demo")["commits"].get<uint64_t>() > 2; }));
    json v = find_view(s, "gtk4-demo");
    int x = v["x"], y = v["y"], w = v["width"];
    // An empty part of the header bar, which GTK draws itself (client-side decoration).
    int hx = x + w / 3, hy = y + 20;
    ASSERT_EQ(cli(s, {"pointer", "drag", num(hx), num(hy), num(hx + 200), num(hy + 150)}), "");
    v = find_view(s, "gtk4-demo");
    EXPECT_GT(v["x"].get<int>(), x + 100) << v.dump();
    EXPECT_GT(v["y"].get<int>(), y + 75) << v.dump();
}

namespace {

// The pixels around (x, y) that change when the pointer moves away: the
// cursor image drawn there, as offsets from the hotspot.
std::set<std::pair<int, int>> cursor_mask(Session& s, int x, int y, const std::string& name)
{
    EXPECT_EQ(cli(s, {"pointer", "move", num(x), num(y)}), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the client sets its image
    Image with = s.screenshot(name + "-with");
    EXPECT_EQ(cli(s, {"pointer", "move", num(5), num(710)}), "");
    Image without = s.screenshot(name + "-without");
    std::set<std::pair<int, int>> mask;
    for (int dy = -16; dy < 40; ++dy)
        for (int dx = -16; dx < 40; ++dx)
            if (!near(with.at(x + dx, y + dy), without.at(x + dx, y + dy), 8)) mask.insert({dx, dy});
    return mask;
}

}  // namespace

TEST(Cursor, TheThemeArrowIsDrawnAndAClientUnderThePointerSetsItsOwn)
{
    Session s;
    s.spawn({"foot", "--app-id", "term", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    json v = find_view(s, "term");
    auto arrow = cursor_mask(s, 1100, 600, "background");  // nothing there but the background
    EXPECT_GT(arrow.size(), 40u) << "no cursor drawn over the background";
    // The arrow points up-left: nothing of it above or left of the hotspot.
    for (auto [dx, dy] : arrow) EXPECT_TRUE(dx >= -3 && dy >= -3) << dx << "," << dy;
    // foot asks for a text cursor (an I-beam centred on the hotspot).
    auto text = cursor_mask(s, v["x"].get<int>() + 200, v["y"].get<int>() + 200, "foot");
    EXPECT_GT(text.size(), 10u) << "no cursor drawn over the terminal";
    size_t common = 0;
    for (const auto& p : text) common += arrow.count(p);
    EXPECT_LT(common * 2, text.size()) << "the terminal's cursor looks like the arrow";
}

TEST(PointerLock, HoldsOnlyWhileTheWindowIsFocusedOnTheVisibleWorkspace)
{
    Session s;
    auto out = s.runtime_dir() / "lock.log";
    std::string sock = s.ctl({{"cmd", "socket"}, {"name", "game"}})["socket"];
    s.spawn({"sh", "-c", std::string(std::getenv("HOSTILE_CLIENT")) + " lock 30 > " + out.string()},
            {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("game", 1));
    json v = find_view(s, "hostile");
    int cx = v["x"].get<int>() + 60, cy = v["y"].get<int>() + 40;
    auto pointer_x = [&] { return s.status()["pointer"]["x"].get<double>(); };

    // On the host workspace the game's window is not shown: no lock.
    ASSERT_EQ(cli(s, {"pointer", "move", num(cx), num(cy)}), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(read_file(out).find("locked"), std::string::npos);

    // Its workspace: the window gets the focus, and the pointer is already on it.
    ASSERT_EQ(s.key("Super+2"), "");
    ASSERT_TRUE(wait_until([&] { return read_file(out).find("locked") != std::string::npos; })) << read_file(out);
    // Locked: the game gets relative motion, the cursor stays.
    ASSERT_EQ(cli(s, {"pointer", "move", num(cx + 300), num(cy + 100)}), "");
    EXPECT_EQ(pointer_x(), cx);
    ASSERT_TRUE(wait_until([&] { return read_file(out).find("relative 300 100") != std::string::npos; }))
        << read_file(out);

    // Switching workspace releases it, and the cursor moves again.
    ASSERT_EQ(s.key("Super+1"), "");
    ASSERT_TRUE(wait_until([&] { return read_file(out).find("unlocked") != std::string::npos; })) << read_file(out);
    ASSERT_EQ(cli(s, {"pointer", "move", num(cx + 300), num(cy + 100)}), "");
    EXPECT_EQ(pointer_x(), cx + 300);
}

namespace {

json workspace_named(Session& s, const std::string& name)
{
    json status = s.status();
    for (const auto& ws : status["workspaces"])
        if (ws["name"] == name) return ws;
    return {};
}

}  // namespace

TEST(Activation, AWindowOfTheFocusedContainerMayTakeTheFocus)
{
    Session s;
    auto out = s.runtime_dir() / "activate.log";
    std::string sock = s.ctl({{"cmd", "socket"}, {"name", "alpha"}})["socket"];
    s.spawn({"sh", "-c", std::string(std::getenv("HOSTILE_CLIENT")) + " activate 30 2 > " + out.string()},
            {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("alpha", 2));
    ASSERT_EQ(s.key("Super+2"), "");
    if (s.status()["focused"]["title"] != "hostile-1") ASSERT_EQ(s.key("Super+j"), "");
    ASSERT_EQ(s.status()["focused"]["title"], "hostile-1");  // not the window that will ask
    ASSERT_TRUE(wait_until([&] { return read_file(out).find("requested") != std::string::npos; })) << read_file(out);
    EXPECT_TRUE(wait_until([&] { return s.status()["focused"]["title"] == "hostile-0"; })) << s.status().dump();
}

TEST(Activation, AnotherContainerOnlyMarksItsWorkspaceAndNeverStealsFocus)
{
    Session s;
    s.spawn({"foot", "--app-id", "typing-here", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s.wait_views("host", 1));
    auto out = s.runtime_dir() / "activate.log";
    std::string sock = s.ctl({{"cmd", "socket"}, {"name", "alpha"}})["socket"];
    s.spawn({"sh", "-c", std::string(std::getenv("HOSTILE_CLIENT")) + " activate 30 0.5 > " + out.string()},
            {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("alpha", 2));
    ASSERT_TRUE(wait_until([&] { return read_file(out).find("requested") != std::string::npos; })) << read_file(out);
    ASSERT_TRUE(wait_until([&] { return workspace_named(s, "alpha")["attention"] == true; })) << s.status().dump();
    json st = s.status();
    EXPECT_EQ(st["current_workspace"], "host");
    EXPECT_EQ(st["focused"]["title"], "foot");
    EXPECT_EQ(find_view(s, "typing-here")["focused"], true);
    // Going there clears the mark.
    ASSERT_EQ(s.key("Super+2"), "");
    EXPECT_EQ(workspace_named(s, "alpha")["attention"], false);
}

TEST(Scale, OutputScaleFromConfigTomlReachesClientsAndHalvesTheLayout)
{
    Session s({}, "[output]\nscale = 2\n");
    std::string info;
    ASSERT_EQ(s.run({"wayland-info"}, {}, &info), 0);
    EXPECT_NE(info.find("scale: 2"), std::string::npos) << info;
    // The 1280x720 headless output is 640x360 in layout coordinates.
    EXPECT_EQ(pointer_error(s, {{"action", "move"}, {"x", 639}, {"y", 359}}), "");
    EXPECT_NE(pointer_error(s, {{"action", "move"}, {"x", 700}, {"y", 100}}).find("(0-639)"), std::string::npos);
    Image shot = s.screenshot();
    EXPECT_EQ(shot.width, 1280);  // drawn at full resolution
}

TEST(Scale, ABadScaleStopsTheSessionNamingTheKey)
{
    for (const char* bad :
         {"[output]\nscale = 9\n", "[output]\nscale = \"big\"\n", "[output]\nscale = 1.3\n", "[output]\nzoom = 2\n"}) {
        try {
            Session s({}, bad);
            ADD_FAILURE() << "the session started with " << bad;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("output."), std::string::npos) << e.what();
        }
    }
}

TEST(IdleInhibit, CountsOnlyWhileTheInhibitingWindowIsVisible)
{
    Session s;
    std::string sock = s.ctl({{"cmd", "socket"}, {"name", "video"}})["socket"];
    pid_t player = s.spawn({std::getenv("HOSTILE_CLIENT"), "inhibit", "30"}, {{"WAYLAND_DISPLAY", sock}});
    ASSERT_TRUE(s.wait_views("video", 1));
    // Its workspace is in the background: the screen may still go idle.
    EXPECT_EQ(s.status()["idle_inhibited"], false);
    ASSERT_EQ(s.key("Super+2"), "");
    EXPECT_EQ(s.status()["idle_inhibited"], true);
    ASSERT_EQ(s.key("Super+1"), "");
    EXPECT_EQ(s.status()["idle_inhibited"], false);
    ASSERT_EQ(s.key("Super+2"), "");
    EXPECT_EQ(s.status()["idle_inhibited"], true);
    s.kill_client(player);  // the player goes away: so does the inhibition
    ASSERT_TRUE(wait_until([&] { return s.status()["idle_inhibited"] == false; }));
}

TEST(Pointer, AWindowKeepsThePointerWhileAButtonPressedOnItIsHeld)
{
    Session s;
    auto log = s.runtime_dir() / "events.log";
    s.spawn({"sh", "-c", "exec stdbuf -oL weston-eventdemo --log-button --log-motion > " + log.string()});
    ASSERT_TRUE(s.wait_views("host", 1));
    json v = s.views()[0];
    int x = v["x"], y = v["y"], w = v["width"], h = v["height"];
    // Pressed inside, released far to the right of the window: the window
    // sees the motion out there and the release (a text selection, a slider).
    ASSERT_EQ(cli(s, {"pointer", "drag", num(x + w / 2), num(y + h / 2), num(x + w + 300), num(y + h / 2)}), "");
    ASSERT_TRUE(wait_until([&] { return read_file(log).find("state: released") != std::string::npos; }))
        << read_file(log);
    std::string events = read_file(log);
    auto last_motion = events.rfind("motion time:");
    ASSERT_NE(last_motion, std::string::npos) << events;
    double mx = std::stod(events.substr(events.find("x: ", last_motion) + 3));
    EXPECT_GT(mx, w + 200) << events.substr(last_motion);
    // Released: moving on does not reach it any more.
    size_t before = read_file(log).size();
    ASSERT_EQ(cli(s, {"pointer", "move", num(x + w + 310), num(y + h / 2 + 10)}), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(read_file(log).substr(before).find("motion"), std::string::npos);
}
