// `ctopbroker spawn` with real LXC containers and real clients inside them.
#include "support/container_test.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <random>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Containers = ContainerTest;

json views_of(Session& s, const std::string& ws)
{
    json out = json::array();
    for (const auto& v : s.views())
        if (v["workspace"] == ws) out.push_back(v);
    return out;
}

}  // namespace

TEST_F(Containers, FootInsideMapsInTheContainersWorkspace)
{
    create("work");
    spawn("work", {"foot", "--app-id", "inside", "sh", "-c", "sleep 60"});
    ASSERT_TRUE(s().wait_views("work", 1));
    json v = views_of(s(), "work")[0];
    EXPECT_EQ(v["container"], "work");
    EXPECT_EQ(v["app_id"], "inside");
    // It mapped in the background: the user stays where they were.
    EXPECT_EQ(s().status()["current_workspace"], "host");
    std::string list;
    ASSERT_EQ(s().cli({"list", "--json"}, &list), 0);
    json l = json::parse(list);
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0]["state"], "RUNNING");
    EXPECT_EQ(l[0]["windows"], 1);
    EXPECT_EQ(l[0]["privilege"], "privileged");
}

TEST_F(Containers, WaylandInfoInsideSeesNoPrivilegedGlobals)
{
    create("work");
    spawn("work", {"sleep", "60"});
    std::string inside, host;
    ASSERT_EQ(exec("work", {"wayland-info"}, &inside), 0);
    ASSERT_EQ(s().run({"wayland-info"}, {}, &host), 0);
    for (const char* global :
         {"zwlr_screencopy_manager_v1", "zwlr_data_control_manager_v1", "zwlr_export_dmabuf_manager_v1",
          "zwlr_gamma_control_manager_v1"}) {
        EXPECT_EQ(inside.find(global), std::string::npos) << global << " visible inside the container";
        EXPECT_NE(host.find(global), std::string::npos) << global << " missing on the host";
    }
    EXPECT_NE(inside.find("xdg_wm_base"), std::string::npos);
}

TEST_F(Containers, NothingOfTheHostEnvironmentLeaksIn)
{
    setenv("CTOPBROKER_SECRET_TOKEN", "hunter2", 1);
    create("work");
    spawn("work", {"sh", "-c", "env > /tmp/env.txt; sleep 60"});
    std::string env;
    ASSERT_TRUE(wait_until([&] { return exec("work", {"cat", "/tmp/env.txt"}, &env) == 0 && !env.empty(); }));
    unsetenv("CTOPBROKER_SECRET_TOKEN");
    EXPECT_EQ(env.find("hunter2"), std::string::npos);
    EXPECT_NE(env.find("WAYLAND_DISPLAY=/run/ctopbroker/wayland-0"), std::string::npos) << env;
    EXPECT_NE(env.find("CTOPBROKER_CONTAINER=work"), std::string::npos);
}

TEST_F(Containers, AContainerCannotReachAnotherContainersSocket)
{
    create("alpha");
    create("beta");
    spawn("alpha", {"sleep", "60"});
    spawn("beta", {"sleep", "60"});
    fs::path beta_socket = s().runtime_dir() / "ctopbroker" / "c" / "beta" / "wayland-0";
    ASSERT_TRUE(fs::exists(beta_socket));
    std::string out;
    ASSERT_EQ(exec("alpha", {"ls", "/run/ctopbroker"}, &out), 0);
    // Its own X, Wayland and PipeWire sockets (and PipeWire's config and lock), nothing else.
    EXPECT_EQ(out, "X0\npipewire-0\npipewire-0.lock\npipewire.conf\nwayland-0\n");
    EXPECT_NE(exec("alpha", {"test", "-e", beta_socket.string()}), 0) << "beta's socket path exists inside alpha";
    EXPECT_NE(exec("alpha", {"env", "WAYLAND_DISPLAY=" + beta_socket.string(), "wayland-info"}), 0);
    EXPECT_NE(exec("alpha", {"env", "WAYLAND_DISPLAY=" + s().host_socket(), "wayland-info"}), 0);
}

TEST_F(Containers, StoppingAContainerMidFrameLeavesTheSessionRunning)
{
    create("work");
    spawn("work", {"weston-simple-shm"});  // commits a frame on every frame callback
    ASSERT_TRUE(s().wait_views("work", 1));
    ASSERT_EQ(s().key("Super+2"), "");
    ASSERT_EQ(s().cli({"stop", "work"}), 0);
    EXPECT_TRUE(s().wait_views("work", 0));
    EXPECT_TRUE(s().alive());
    EXPECT_TRUE(wait_until([&] { return s().status()["current_workspace"] == "host"; }));
    // And it comes back.
    spawn("work", {"weston-simple-shm"});
    EXPECT_TRUE(s().wait_views("work", 1));
}

TEST_F(Containers, KeysTypedInOneContainerNeverReachAnother)
{
    create("alpha");
    create("beta");
    for (const char* name : {"alpha", "beta"})
        spawn(name, {"foot", "sh", "-c", "stty -echo -icanon; exec cat > /home/user/typed"});
    ASSERT_TRUE(s().wait_views("alpha", 1));
    ASSERT_TRUE(s().wait_views("beta", 1));
    auto typed = [&](const std::string& name) {
        std::string out;
        exec(name, {"cat", "/home/user/typed"}, &out);
        return out;
    };
    ASSERT_EQ(s().key("Super+2"), "");
    ASSERT_EQ(s().ctl({{"cmd", "type"}, {"text", "alpha-keys"}})["ok"], true);
    ASSERT_TRUE(wait_until([&] { return typed("alpha") == "alpha-keys"; })) << typed("alpha");
    ASSERT_EQ(s().key("Super+3"), "");
    ASSERT_EQ(s().ctl({{"cmd", "type"}, {"text", "beta-keys"}})["ok"], true);
    ASSERT_TRUE(wait_until([&] { return typed("beta") == "beta-keys"; })) << typed("beta");
    EXPECT_EQ(typed("alpha"), "alpha-keys");
}

TEST_F(Containers, ClipboardStaysInItsContainerUntilTheUserMovesIt)
{
    create("alpha");
    create("beta");
    spawn("alpha", {"sleep", "60"});
    spawn("beta", {"sleep", "60"});
    // 10 MB of text made inside alpha; its checksum is compared in beta.
    ASSERT_EQ(exec("alpha", {"sh", "-c", "head -c 7700000 /dev/urandom | base64 > /tmp/payload"}), 0);
    std::string alpha_sum;
    ASSERT_EQ(exec("alpha", {"sh", "-c", "sha256sum < /tmp/payload"}, &alpha_sum), 0);

    ASSERT_EQ(s().key("Super+2"), "");
    spawn("alpha", {"sh", "-c", "exec wl-copy --foreground --type text/plain < /tmp/payload"});
    ASSERT_TRUE(wait_until([&] { return s().ctl({{"cmd", "clipboard"}})["selections"].contains("alpha"); }));

    ASSERT_EQ(s().key("Super+3"), "");
    std::string out;
    EXPECT_NE(exec("beta", {"timeout", "10", "wl-paste", "-n"}, &out), 0);
    EXPECT_TRUE(out.empty());

    ASSERT_EQ(s().key("Super+2"), "");
    ASSERT_EQ(s().key("Super+Shift+c"), "");
    ASSERT_TRUE(wait_until([&] { return !s().ctl({{"cmd", "clipboard"}})["buffer"].is_null(); },
                           std::chrono::seconds(20)));
    ASSERT_EQ(s().key("Super+3"), "");
    ASSERT_EQ(s().key("Super+Shift+v"), "");
    std::string beta_sum;
    ASSERT_EQ(exec("beta", {"sh", "-c", "timeout 20 wl-paste -n | sha256sum"}, &beta_sum), 0);
    EXPECT_EQ(beta_sum, alpha_sum);
}

TEST_F(Containers, BadInputGetsOneClearMessage)
{
    std::string out, err;
    EXPECT_NE(s().cli({"spawn", "nosuch", "--", "true"}, &out, &err), 0);
    EXPECT_NE(err.find("container 'nosuch' does not exist"), std::string::npos) << err;
    EXPECT_NE(s().cli({"spawn", "Bad_Name"}, &out, &err), 0);
    EXPECT_NE(err.find("bad container name 'Bad_Name'"), std::string::npos) << err;
    EXPECT_NE(s().cli({"create", "x", "--template", "nosuch"}, &out, &err), 0);
    EXPECT_NE(err.find("template"), std::string::npos) << err;
    EXPECT_NE(s().cli({"destroy", "nosuch"}, &out, &err), 0);
    EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
    EXPECT_NE(s().cli({"exec", "nosuch", "--", "true"}, &out, &err), 0);
    EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
    EXPECT_NE(s().cli({"create", "x", "--memory", "lots"}, &out, &err), 0);
    EXPECT_NE(err.find("--memory"), std::string::npos) << err;
    // No workspace was left behind by the failed spawns.
    EXPECT_EQ(s().status()["workspaces"].size(), 1u);
}

TEST(NoSession, CommandsSayThereIsNoSession)
{
    char tmpl[] = "/tmp/ctopbroker-nosession-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    std::string cmd = "XDG_RUNTIME_DIR=" + std::string(tmpl) + " " + std::getenv("CTOPBROKER_BIN") + " status 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[512] = {};
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    int rc = pclose(p);
    fs::remove_all(tmpl);
    EXPECT_NE(rc, 0);
    EXPECT_NE(std::string(buf, n).find("no ctopbroker session is running"), std::string::npos) << buf;
}

namespace {

// Gives root a sub-uid range for the length of a test, if it has none.
class SubidRange {
public:
    SubidRange()
    {
        for (const char* file : {"/etc/subuid", "/etc/subgid"}) {
            std::ifstream in(file);
            std::string text((std::istreambuf_iterator<char>(in)), {});
            saved_.emplace_back(file, text);
            if (text.find("root:") == std::string::npos) std::ofstream(file, std::ios::app) << "root:100000:65536\n";
        }
    }
    ~SubidRange()
    {
        for (const auto& [file, text] : saved_) std::ofstream(file, std::ios::trunc) << text;
    }

private:
    std::vector<std::pair<std::string, std::string>> saved_;
};

}  // namespace

TEST_F(Containers, AnUnprivilegedContainerShowsWaylandAndX11Windows)
{
    SubidRange subids;
    create("unpriv", {}, false);  // unprivileged: /etc/subuid allows it
    std::string list;
    ASSERT_EQ(s().cli({"list"}, &list), 0);
    EXPECT_NE(list.find("unprivileged"), std::string::npos) << list;
    spawn("unpriv", {"weston-simple-shm"});
    spawn("unpriv", {"xeyes"});
    ASSERT_TRUE(s().wait_views("unpriv", 2, std::chrono::seconds(20)));
    std::string id;
    ASSERT_EQ(exec("unpriv", {"id", "-u"}, &id), 0);
    EXPECT_EQ(id, "1000\n");
    // Only the container's mapped root was let through the private runtime dir.
    std::string acl;
    s().run({"getfacl", "-p", s().runtime_dir().string()}, {}, &acl);
    EXPECT_NE(acl.find("user:100000:--x"), std::string::npos) << acl;
}
