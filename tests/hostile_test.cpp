// A hostile client inside a container tries what ctopbroker must refuse:
// binding hidden globals, reading the clipboard without focus or of another
// container, receiving keys while unfocused, stealing focus with new windows.
#include "support/container_test.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class Hostile : public ContainerTest {
protected:
    void SetUp() override
    {
        ContainerTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        fs::path client = std::getenv("HOSTILE_CLIENT");
        for (const char* name : {"alpha", "beta"}) {
            create(name, {"--share", client.parent_path().string() + ":/opt/ctop-tests"});
            spawn(name, {"sleep", "120"});
        }
    }

    // Starts the hostile client in `container`; its JSON verdict lands in a file.
    pid_t start_hostile(const std::string& container, std::vector<std::string> args, const std::string& out)
    {
        std::string cmd =
            std::string(std::getenv("CTOPBROKER_BIN")) + " exec " + container + " -- /opt/ctop-tests/hostile_client";
        for (const auto& a : args) cmd += " " + a;
        return s().spawn({"sh", "-c", cmd + " > " + (s().runtime_dir() / out).string()});
    }
    json verdict(pid_t pid, const std::string& out)
    {
        s().wait_client(pid);
        std::ifstream in(s().runtime_dir() / out);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        json j = json::parse(text, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "hostile client said: " << text;
        return j;
    }
};

// The numeric name the host sees for `interface` (global names are server-wide).
uint32_t host_global_name(Session& s, const std::string& interface)
{
    std::string out;
    s.run({"wayland-info"}, {}, &out);
    std::smatch m;
    std::regex re("interface: '" + interface + "',[^\\n]*name: *([0-9]+)");
    if (!std::regex_search(out, m, re)) return 0;
    return static_cast<uint32_t>(std::stoul(m[1]));
}

}  // namespace

TEST_F(Hostile, CannotBindHiddenGlobalsByName)
{
    for (const char* iface : {"zwlr_screencopy_manager_v1", "zwlr_data_control_manager_v1"}) {
        uint32_t name = host_global_name(s(), iface);
        ASSERT_NE(name, 0u) << iface << " not on the host";
        std::string out;
        std::string cmd = "/opt/ctop-tests/hostile_client bind " + std::to_string(name) + " 1 " + iface;
        s().cli({"exec", "alpha", "--", "sh", "-c", cmd}, &out);
        json j = json::parse(out, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << out;
        EXPECT_FALSE(j["bound"].get<bool>()) << iface << " was bound from a container";
        EXPECT_NE(j["error"].get<int>(), 0);
    }
}

// Layer shell would let a client draw over every workspace (a fake bar, a
// fake password prompt) and take the keyboard exclusively: host clients only.
TEST_F(Hostile, AContainerClientNeverSeesTheLayerShellNorBindsItByName)
{
    std::string inside, host;
    ASSERT_EQ(s().cli({"exec", "alpha", "--", "wayland-info"}, &inside), 0);
    ASSERT_EQ(s().run({"wayland-info"}, {}, &host), 0);
    EXPECT_NE(host.find("zwlr_layer_shell_v1"), std::string::npos) << "the host's launcher needs it";
    EXPECT_EQ(inside.find("zwlr_layer_shell_v1"), std::string::npos) << "offered to a container client";
    EXPECT_NE(inside.find("xdg_wm_base"), std::string::npos) << "the probe itself did not work";

    uint32_t name = host_global_name(s(), "zwlr_layer_shell_v1");
    ASSERT_NE(name, 0u);
    std::string out;
    s().cli({"exec", "alpha", "--", "/opt/ctop-tests/hostile_client", "bind", std::to_string(name), "1",
             "zwlr_layer_shell_v1"},
            &out);
    json j = json::parse(out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << out;
    EXPECT_FALSE(j["bound"].get<bool>()) << "zwlr_layer_shell_v1 was bound from a container";
    EXPECT_EQ(s().status()["layer_surfaces"], 0);
}

TEST_F(Hostile, AnUnfocusedContainerGetsNoKeysNoFocusAndNoClipboard)
{
    // The user works in a host terminal and has something on the host clipboard.
    s().spawn({"foot", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s().wait_views("host", 1));
    s().spawn({"wl-copy", "--foreground", "host-secret"});
    ASSERT_TRUE(wait_until([&] { return s().ctl({{"cmd", "clipboard"}})["selections"].contains("host"); }));

    pid_t pid = start_hostile("beta", {"listen", "3", "4"}, "beta.json");
    ASSERT_TRUE(s().wait_views("beta", 4));
    ASSERT_EQ(s().ctl({{"cmd", "type"}, {"text", "password123"}})["ok"], true);
    json v = verdict(pid, "beta.json");
    EXPECT_EQ(v["enters"], 0);
    EXPECT_EQ(v["keys"], 0);
    EXPECT_EQ(v["selections"], 0);
    EXPECT_EQ(v["clipboard"], "");
    // Four new windows later, the host terminal still has the keyboard.
    json st = s().status();
    EXPECT_EQ(st["current_workspace"], "host");
    EXPECT_EQ(st["focused"]["container"], "host");
}

TEST_F(Hostile, AFocusedContainerSeesOnlyItsOwnClipboard)
{
    ASSERT_EQ(s().key("Super+2"), "");
    pid_t copier = start_hostile("alpha", {"listen", "0"}, "unused.json");  // warm-up: alpha's socket works
    verdict(copier, "unused.json");
    s().spawn({std::getenv("CTOPBROKER_BIN"), "exec", "alpha", "--", "wl-copy", "--foreground", "alpha-secret"});
    ASSERT_TRUE(wait_until([&] { return s().ctl({{"cmd", "clipboard"}})["selections"].contains("alpha"); }));

    ASSERT_EQ(s().key("Super+3"), "");
    pid_t pid = start_hostile("beta", {"listen", "2"}, "beta.json");
    json v = verdict(pid, "beta.json");
    EXPECT_GE(v["enters"].get<int>(), 1) << "beta's window should get focus in its own workspace";
    EXPECT_EQ(v["selections"], 0);
    EXPECT_EQ(v["clipboard"], "");

    // Alpha, focused, reads its own clipboard: the probe itself works.
    ASSERT_EQ(s().key("Super+2"), "");
    pid = start_hostile("alpha", {"listen", "2"}, "alpha.json");
    json a = verdict(pid, "alpha.json");
    EXPECT_EQ(a["clipboard"], "alpha-secret");
}
