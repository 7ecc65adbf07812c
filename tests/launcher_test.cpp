// Super+D and Super+Return with real containers, the real launcher (fuzzel)
// and real terminals (foot): the launcher lists the apps of two containers,
// typing into it and pressing Enter starts the chosen one in its own
// container (starting a stopped container first, also one only an earlier
// session saw running) and shows its workspace;
// an app whose name imitates another entry still starts in its own
// container; Super+Return opens a terminal in the focused container, or on
// the host workspace a host terminal.
#include "support/container_test.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace ctop::test;
using nlohmann::json;

namespace {

class Launcher : public ContainerTest {
protected:
    // A .desktop file in the container user's own applications: its agent lists it.
    void add_app(const std::string& container, const std::string& id, const std::string& name, const std::string& exec)
    {
        std::string script = "d=/home/user/.local/share/applications; mkdir -p $d; "
                             "printf '[Desktop Entry]\\nType=Application\\nName=" +
                             name + "\\nExec=" + exec + "\\n' > $d/" + id +
                             ".desktop; chown -R 1000:1000 /home/user/.local";
        ASSERT_EQ(exec_in(container, script), 0);
    }
    int exec_in(const std::string& container, const std::string& script)
    {
        return exec(container, {"sh", "-c", script});
    }
    // Container `name` made and running (a long sleep keeps it up).
    void running(const std::string& name)
    {
        create(name);
        spawn(name, {"sleep", "600"});
    }

    // Super+D, then the launcher is up and has the keyboard.
    void open_launcher()
    {
        ASSERT_EQ(s().key("Super+d"), "");
        ASSERT_TRUE(wait_until([&] {
            json st = s().status();
            return st["launcher_open"] == true && st["keyboard_on_layer_surface"] == true;
        })) << s().status().dump();
    }

    // Super+D and Escape: the running containers' agents list their apps,
    // which the session keeps.
    void list_apps()
    {
        open_launcher();
        ASSERT_EQ(s().key("Escape"), "");
        ASSERT_TRUE(wait_until([&] { return s().status()["launcher_open"] == false; }));
    }

    // Types into the launcher and presses Enter.
    void choose(const std::string& typed)
    {
        ASSERT_EQ(s().type(typed), "");
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // fuzzel filters as it draws
        ASSERT_EQ(s().key("Return"), "");
        ASSERT_TRUE(wait_until([&] { return s().status()["launcher_open"] == false; }));
    }

    json view_with_app_id(const std::string& app_id)
    {
        for (const auto& v : s().views())
            if (v["app_id"] == app_id) return v;
        return {};
    }
    // True once a window of `app_id` is mapped, within `limit`.
    bool mapped(const std::string& app_id, std::chrono::seconds limit)
    {
        return wait_until([&] { return !view_with_app_id(app_id).is_null(); }, limit);
    }
};

}  // namespace

TEST_F(Launcher, ListsTwoContainersAppsAndTheChosenOneMapsInItsContainersWorkspace)
{
    running("alpha");
    running("beta");
    add_app("alpha", "probe", "Alpha Probe", "foot --app-id alpha-probe sleep 300");
    add_app("beta", "probe", "Beta Probe", "foot --app-id beta-probe sleep 300");

    open_launcher();
    Image shot = s().screenshot("launcher");  // fuzzel over the host workspace, the bar above it
    int lit = 0;
    for (int y = 200; y < 520; y += 4)
        for (int x = 340; x < 940; x += 4) lit += shot.at(x, y).r + shot.at(x, y).g + shot.at(x, y).b > 60;
    EXPECT_GT(lit, 2000) << "no launcher drawn in the middle of the screen";
    choose("Beta Probe");
    ASSERT_TRUE(mapped("beta-probe", std::chrono::seconds(30)));
    json v = view_with_app_id("beta-probe");
    EXPECT_EQ(v["container"], "beta");
    EXPECT_EQ(v["workspace"], "beta");
    EXPECT_TRUE(wait_until([&] { return s().status()["current_workspace"] == "beta"; }));
    EXPECT_TRUE(wait_until([&] { return view_with_app_id("beta-probe")["focused"] == true; }));
    s().screenshot("beta-probe");

    open_launcher();
    choose("Alpha Probe");
    ASSERT_TRUE(mapped("alpha-probe", std::chrono::seconds(30)));
    EXPECT_EQ(view_with_app_id("alpha-probe")["workspace"], "alpha");
    EXPECT_TRUE(wait_until([&] { return s().status()["current_workspace"] == "alpha"; }));
}

TEST_F(Launcher, AStoppedContainersAppsStayListedAndChoosingOneStartsTheContainer)
{
    running("beta");
    add_app("beta", "probe", "Beta Probe", "foot --app-id beta-probe sleep 300");
    list_apps();

    ASSERT_EQ(s().cli({"stop", "beta"}), 0);
    ASSERT_TRUE(wait_until([&] {
        std::string out;
        s().cli({"list", "--json"}, &out);
        json l = json::parse(out, nullptr, false);
        return !l.is_discarded() && l.size() == 1 && l[0]["state"] == "STOPPED";
    }));
    open_launcher();
    choose("Beta Probe");
    ASSERT_TRUE(mapped("beta-probe", std::chrono::seconds(60)));
    EXPECT_EQ(view_with_app_id("beta-probe")["container"], "beta");
}

TEST_F(Launcher, TheNextSessionListsAContainersAppsFromItsLastListAndChoosingOneStartsIt)
{
    running("beta");
    add_app("beta", "probe", "Beta Probe", "foot --app-id beta-probe sleep 300");
    list_apps();

    s_.reset();  // the user logs out (beta stops with the session) and in again
    s_ = std::make_unique<Session>();
    open_launcher();
    choose("Beta Probe");
    ASSERT_TRUE(mapped("beta-probe", std::chrono::seconds(60)));
    EXPECT_EQ(view_with_app_id("beta-probe")["container"], "beta");
    EXPECT_TRUE(wait_until([&] { return s().status()["current_workspace"] == "beta"; }));
}

TEST_F(Launcher, AnAppNamedLikeAHostEntryStillStartsInItsOwnContainer)
{
    running("alpha");
    // Its name tries to end alpha's line and start a host one.
    add_app("alpha", "evil", "Evil\\\\nhost: Impostor", "foot --app-id impostor sleep 300");
    open_launcher();
    choose("Impostor");
    ASSERT_TRUE(mapped("impostor", std::chrono::seconds(30)));
    EXPECT_EQ(view_with_app_id("impostor")["container"], "alpha");
    EXPECT_EQ(view_with_app_id("impostor")["workspace"], "alpha");
}

TEST_F(Launcher, SuperReturnOpensFootInTheFocusedContainerAndAHostFootOnTheHostWorkspace)
{
    running("alpha");
    ASSERT_EQ(s().key("Super+2"), "");
    ASSERT_EQ(s().status()["current_workspace"], "alpha");
    ASSERT_EQ(s().key("Super+Return"), "");
    ASSERT_TRUE(s().wait_views("alpha", 1, std::chrono::seconds(30)));
    json v = s().views()[0];
    EXPECT_EQ(v["container"], "alpha");
    EXPECT_EQ(v["app_id"], "foot");
    s().screenshot("alpha-foot");

    ASSERT_EQ(s().key("Super+1"), "");
    ASSERT_EQ(s().key("Super+Return"), "");
    ASSERT_TRUE(s().wait_views("host", 1, std::chrono::seconds(30)));
    for (const auto& view : s().views())
        if (view["workspace"] == "host") EXPECT_EQ(view["container"], "host");
    s().screenshot("host-foot");
}

TEST(LauncherKeys, BothKeysComeFromConfigToml)
{
    Session s({}, "[keybindings]\nlauncher = \"Super+p\"\nterminal = \"Super+t\"\n");
    ASSERT_EQ(s.key("Super+t"), "");
    ASSERT_TRUE(s.wait_views("host", 1, std::chrono::seconds(30)));
    EXPECT_EQ(s.views()[0]["app_id"], "foot");
    ASSERT_EQ(s.key("Super+Return"), "");  // the default is unbound now
    ASSERT_EQ(s.key("Super+p"), "");
    ASSERT_TRUE(wait_until([&] { return s.status()["launcher_open"] == true; }));
    EXPECT_EQ(s.views().size(), 1u);
    ASSERT_EQ(s.key("Super+p"), "");  // again: closed
    EXPECT_TRUE(wait_until([&] { return s.status()["launcher_open"] == false; }));
}
