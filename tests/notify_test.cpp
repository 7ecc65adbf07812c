// Each container's session D-Bus and its desktop notifications, end to end:
// real session, real containers, real dbus-daemons, notify-send and
// tests/notify_client inside, the real mako on the host read back with makoctl.
#include "support/container_test.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>

using namespace ctop::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class Notifications : public ContainerTest {
protected:
    // alpha and beta, each running, with tests/notify_client at /opt/ctop-tests.
    void two_containers()
    {
        fs::path client = std::getenv("NOTIFY_CLIENT");
        for (const char* name : {"alpha", "beta"}) {
            create(name, {"--share", client.parent_path().string() + ":/opt/ctop-tests"});
            spawn(name, {"sleep", "300"});
        }
        for (const char* name : {"alpha", "beta"})
            ASSERT_TRUE(wait_until([&] { return agent_of(name).value("pid", -1) > 0; })) << s().log();
    }
    json agent_of(const std::string& container)
    {
        json status = s().status();  // held: the loop reads into it
        for (const auto& ws : status["workspaces"])
            if (ws["name"] == container && ws.contains("agent")) return ws["agent"];
        return json::object();
    }
    json relay() { return s().status().value("notifications", json::object()); }
    // `sh -c SCRIPT` in `container` as an app (through its agent), its
    // output in the container's /tmp/NAME.out once it is done.
    std::string run_app(const std::string& container, const std::string& script, const std::string& name)
    {
        std::string out = "/tmp/" + name + ".out";
        spawn(container, {"sh", "-c", "(" + script + ") > " + out + ".part 2>&1; mv " + out + ".part " + out});
        std::string text;
        EXPECT_TRUE(wait_until([&] { return exec(container, {"cat", out}, &text) == 0; }, std::chrono::seconds(30)))
            << container << ": " << script;
        return text;
    }
    // What the host's daemon (mako) shows now, through makoctl.
    json mako_list()
    {
        std::string out;
        s().run({"makoctl", "list"}, {{"DBUS_SESSION_BUS_ADDRESS", relay().value("bus", "")}}, &out);
        json list = json::parse(out, nullptr, false);
        json shown = json::array();
        if (list.is_discarded() || !list.contains("data")) return shown;
        for (const auto& group : list["data"])
            for (const auto& n : group) {
                json flat;
                for (const auto& [key, value] : n.items()) flat[key] = value.value("data", json());
                shown.push_back(flat);
            }
        return shown;
    }
    std::vector<json> shown_from(const std::string& app_prefix)
    {
        std::vector<json> out;
        for (const auto& n : mako_list())
            if (n.value("app-name", "").rfind(app_prefix, 0) == 0) out.push_back(n);
        return out;
    }
};

}  // namespace

TEST_F(Notifications, EachContainerHasItsOwnSessionBusAndMachineId)
{
    fs::path client = std::getenv("NOTIFY_CLIENT");
    for (const char* name : {"alpha", "beta"})
        create(name, {"--share", client.parent_path().string() + ":/opt/ctop-tests"});
    // The first app of a container starts with it (through the worker, before
    // its agent): its bus is there already.
    std::string probe = "dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus / "
                        "org.freedesktop.DBus.GetId";
    std::string ids[2];
    for (int i = 0; i < 2; ++i) {
        std::string name = i ? "beta" : "alpha";
        spawn(name, {"sh", "-c", probe + " > /tmp/first.out 2>&1; env > /tmp/env.out; sleep 300"});
        ASSERT_TRUE(wait_until([&] { return exec(name, {"cat", "/tmp/first.out"}, &ids[i]) == 0 && !ids[i].empty(); }))
            << s().log();
        EXPECT_TRUE(std::regex_search(ids[i], std::regex("^ *[0-9a-f]{32}\\s*$"))) << name << ": " << ids[i];
        std::string env;
        ASSERT_EQ(exec(name, {"cat", "/tmp/env.out"}, &env), 0);
        EXPECT_NE(env.find("DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"), std::string::npos) << env;
    }
    EXPECT_NE(ids[0], ids[1]) << "alpha and beta share a bus";

    // Apps started later, through the agent, see the same bus, with the
    // agent's notification server on it.
    ASSERT_TRUE(wait_until([&] { return agent_of("alpha").value("pid", -1) > 0; }));
    std::string names = run_app("alpha", "dbus-send --session --print-reply --dest=org.freedesktop.DBus / "
                                         "org.freedesktop.DBus.ListNames", "names");
    EXPECT_NE(names.find("org.freedesktop.Notifications"), std::string::npos) << names;
    std::string again = run_app("alpha", probe, "id");
    EXPECT_EQ(again, ids[0]);

    // Its own machine-id: 32 hex digits, not the host's, not the other's.
    std::string mid[2], host;
    ASSERT_EQ(exec("alpha", {"cat", "/etc/machine-id"}, &mid[0]), 0);
    ASSERT_EQ(exec("beta", {"cat", "/etc/machine-id"}, &mid[1]), 0);
    std::ifstream("/etc/machine-id") >> host;
    EXPECT_TRUE(std::regex_match(mid[0], std::regex("[0-9a-f]{32}\n"))) << mid[0];
    EXPECT_NE(mid[0], mid[1]);
    EXPECT_NE(mid[0], host + "\n");

    // A killed bus comes back (the agent starts it again), with a new id.
    ASSERT_EQ(exec("alpha", {"sh", "-c", "pkill -x dbus-daemon"}), 0);
    std::string fresh;
    ASSERT_TRUE(wait_until([&] {
        fresh = run_app("alpha", probe, "fresh");
        return fresh.find("Error") == std::string::npos && fresh != ids[0];
    }, std::chrono::seconds(20))) << fresh;
    // The agent connects again a moment after it started the new bus.
    int probes = 0;
    EXPECT_TRUE(wait_until([&] {
        names = run_app("alpha", "dbus-send --session --print-reply --dest=org.freedesktop.DBus / "
                                 "org.freedesktop.DBus.ListNames", "names" + std::to_string(++probes));
        return names.find("org.freedesktop.Notifications") != std::string::npos;
    })) << names;
}
