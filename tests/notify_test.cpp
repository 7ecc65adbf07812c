// Each container's session D-Bus and its desktop notifications, end to end:
// real session, real containers, real dbus-daemons, notify-send and
// tests/notify_client inside, the real mako on the host read back with makoctl.
#include "support/container_test.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
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
    std::string agent_color(const std::string& container)
    {
        json status = s().status();
        for (const auto& ws : status["workspaces"])
            if (ws["name"] == container) return ws["color"];
        return {};
    }
    json relay() { return s().status().value("notifications", json::object()); }
    // `sh -c SCRIPT` in `container` as an app (through its agent), its
    // output in the container's /tmp/NAME.out once it is done.
    std::string run_app(const std::string& container, const std::string& script, const std::string& name)
    {
        std::string out = "/tmp/" + name + ".out";
        spawn(container, {"sh", "-c", "(" + script + ") > " + out + ".part 2>&1; mv " + out + ".part " + out});
        std::string text;
        EXPECT_TRUE(wait_until(
            [&] {
                return exec(container, {"cat", out}, &text) == 0;
            },
            std::chrono::seconds(30)))
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
    // `sh -c SCRIPT` in `container`, left running; its output collects in
    // /tmp/NAME.out there (read with output_of).
    void start_app(const std::string& container, const std::string& script, const std::string& name)
    {
        spawn(container, {"sh", "-c", "exec > /tmp/" + name + ".out 2>&1; " + script});
    }
    std::string output_of(const std::string& container, const std::string& name)
    {
        std::string text;
        exec(container, {"cat", "/tmp/" + name + ".out"}, &text);
        return text;
    }
    // A `gdbus monitor` of the container's notification server, listening.
    void monitor(const std::string& container)
    {
        start_app(container, "exec gdbus monitor --session --dest org.freedesktop.Notifications", "monitor");
        ASSERT_TRUE(wait_until([&] { return output_of(container, "monitor").find("Monitoring") != std::string::npos; }))
            << output_of(container, "monitor");
    }
    int makoctl(const std::vector<std::string>& args)
    {
        std::vector<std::string> argv = {"makoctl"};
        argv.insert(argv.end(), args.begin(), args.end());
        return s().run(argv, {{"DBUS_SESSION_BUS_ADDRESS", relay().value("bus", "")}});
    }
    std::vector<json> shown_from(const std::string& app_prefix)
    {
        std::vector<json> out;
        // Not before the session reached the daemon: makoctl's call would
        // have the bus start one itself.
        if (relay().value("forwarded", 0) == 0) return out;
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
        ASSERT_TRUE(wait_until([&] {
            return exec(name, {"cat", "/tmp/first.out"}, &ids[i]) == 0 && !ids[i].empty();
        })) << s().log();
        EXPECT_TRUE(std::regex_search(ids[i], std::regex("^ *[0-9a-f]{32}\\s*$"))) << name << ": " << ids[i];
        std::string env;
        ASSERT_EQ(exec(name, {"cat", "/tmp/env.out"}, &env), 0);
        EXPECT_NE(env.find("DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"), std::string::npos) << env;
    }
    EXPECT_NE(ids[0], ids[1]) << "alpha and beta share a bus";

    // Apps started later, through the agent, see the same bus, with the
    // agent's notification server on it.
    ASSERT_TRUE(wait_until([&] { return agent_of("alpha").value("pid", -1) > 0; }));
    std::string names = run_app("alpha",
                                "dbus-send --session --print-reply --dest=org.freedesktop.DBus / "
                                "org.freedesktop.DBus.ListNames",
                                "names");
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
    ASSERT_TRUE(wait_until(
        [&] {
            fresh = run_app("alpha", probe, "fresh");
            return fresh.find("Error") == std::string::npos && fresh != ids[0];
        },
        std::chrono::seconds(20)))
        << fresh;
    // The agent connects again a moment after it started the new bus.
    int probes = 0;
    EXPECT_TRUE(wait_until([&] {
        names = run_app("alpha",
                        "dbus-send --session --print-reply --dest=org.freedesktop.DBus / "
                        "org.freedesktop.DBus.ListNames",
                        "names" + std::to_string(++probes));
        return names.find("org.freedesktop.Notifications") != std::string::npos;
    })) << names;
}

TEST_F(Notifications, NotifySendInAContainerShowsAtTheHostsMakoLabelledWithTheContainer)
{
    two_containers();
    std::string out = run_app("alpha", "notify-send -a Editor 'Hello from alpha' 'report.txt saved'", "n1");
    EXPECT_TRUE(out.empty()) << out;
    std::vector<json> shown;
    ASSERT_TRUE(wait_until([&] { return !(shown = shown_from("alpha: ")).empty(); }, std::chrono::seconds(20)))
        << relay().dump() << s().log();
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_EQ(shown[0]["app-name"], "alpha: Editor");
    EXPECT_EQ(shown[0]["summary"], "Hello from alpha");
    EXPECT_EQ(shown[0]["body"], "report.txt saved");
    EXPECT_EQ(shown[0]["category"], "ctopbroker.alpha");  // the session's, framed in alpha's colour
    EXPECT_TRUE(shown_from("beta: ").empty());
    // There was no notification daemon (nor a session bus) for the test's
    // session: it started both. The host's bus is neither container's.
    json r = relay();
    EXPECT_TRUE(r["mako"].is_number_integer()) << r.dump() << s().log();
    std::string host_id, alpha_id, beta_id;
    std::string probe =
        "dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId";
    s().run({"sh", "-c", probe}, {{"DBUS_SESSION_BUS_ADDRESS", r["bus"]}}, &host_id);
    alpha_id = run_app("alpha", probe, "id");
    beta_id = run_app("beta", probe, "id");
    EXPECT_FALSE(host_id.empty());
    EXPECT_NE(host_id, alpha_id);
    EXPECT_NE(host_id, beta_id);
    // mako frames it in alpha's colour (its config names alpha's category).
    std::ifstream config(s().runtime_dir() / "ctopbroker/mako.config");
    std::string text((std::istreambuf_iterator<char>(config)), {});
    std::string color = agent_color("alpha");
    EXPECT_NE(text.find("[category=\"ctopbroker.alpha\"]\nborder-color=" + color), std::string::npos) << text;
}

TEST_F(Notifications, AFloodFromOneContainerIsThrottledAndALaterOneFromAnotherStillShows)
{
    two_containers();
    std::string sent = run_app("alpha", "/opt/ctop-tests/notify_client 1000 Flood Flood x", "flood");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(sent, m, std::regex("sent 1000 in (\\d+) ms"))) << sent;
    int flood_ms = std::stoi(m[1]);
    std::cout << "alpha sent 1000 notifications in " << flood_ms << " ms\n";
    ASSERT_TRUE(wait_until([&] {
        return relay()["dropped"].value("alpha", 0) + relay().value("forwarded", 0) >= 1000;
    })) << relay().dump();

    run_app("beta", "notify-send -a Mail 'Later from beta' 'still shown'", "later");
    std::vector<json> beta;
    ASSERT_TRUE(wait_until([&] { return !(beta = shown_from("beta: Mail")).empty(); })) << relay().dump();
    EXPECT_EQ(beta[0]["summary"], "Later from beta");
    // alpha got its burst (10) and about one a second while it flooded.
    size_t alpha = shown_from("alpha: Flood").size();
    EXPECT_GE(alpha, 10u);
    EXPECT_LE(alpha, 10u + static_cast<size_t>(flood_ms / 1000) + 2) << "flood took " << flood_ms << " ms";
    EXPECT_GE(relay()["dropped"].value("alpha", 0), 1000 - static_cast<int>(alpha));
    // One notice says what alpha lost.
    std::vector<json> notice;
    ASSERT_TRUE(wait_until([&] { return !(notice = shown_from("alpha: ctopbroker")).empty(); }));
    EXPECT_EQ(notice[0]["summary"], "Notifications dropped");
    EXPECT_NE(notice[0]["body"].get<std::string>().find("were not shown"), std::string::npos);
    EXPECT_TRUE(s().alive());
}

TEST_F(Notifications, MarkupControlCharactersActionsAndSizeAreStrippedBeforeTheHostSeesThem)
{
    two_containers();
    // Markup with a link, an escape sequence, a right-to-left override and a
    // bell, from notify-send; a 100 kB body and actions gone bad from notify_client.
    run_app("alpha",
            "notify-send -a \"$(printf 'Ed\\033[31mitor')\" \"$(printf 'Sum\\033]0;title\\007mary\\nline')\" "
            "\"$(printf '<b>bold</b> <a href=\"http://evil\">click</a> &amp; \\342\\200\\256txt.exe')\"",
            "markup");
    run_app("alpha", "/opt/ctop-tests/notify_client 1 Big Big @big", "big");
    std::vector<json> shown;
    ASSERT_TRUE(wait_until([&] { return (shown = shown_from("alpha: ")).size() == 2; })) << relay().dump();
    for (const auto& n : shown) {
        std::string all = n.dump();
        for (const char* bad : {"\\u001b", "\\u0007", "\\u202e", "\u202e", "href", "<a", "<b>", "\\n"})
            EXPECT_EQ(all.find(bad), std::string::npos) << bad << " in " << all;
        if (n["summary"] == "Big 1") {
            EXPECT_LE(n["body"].get<std::string>().size(), 1024u);
            EXPECT_EQ(n["app-name"], "alpha: Big");
            // The first four good, distinct keys, under the session's keys,
            // labels made plain and cut.
            EXPECT_EQ(
                n["actions"],
                json({{"default", "Open[31m"}, {"1", "Two"}, {"2", std::string(29, 'L') + "\u2026"}, {"3", "Four"}}))
                << all;
        } else {
            EXPECT_TRUE(n["actions"].empty()) << all;
            EXPECT_EQ(n["app-name"], "alpha: Ed[31mitor");
            EXPECT_EQ(n["summary"], "Sum]0;titlemary line");
            std::string body = n["body"];
            EXPECT_EQ(body.find("bold click &amp; txt.exe"), 0u) << body;  // escaped: mako renders body markup
        }
    }
    EXPECT_TRUE(s().alive());
}

TEST_F(Notifications, DismissedOnTheHostItsAppHearsItClosedUnderItsOwnIdAndNoOtherContainerHearsIt)
{
    two_containers();
    monitor("alpha");
    monitor("beta");
    start_app("alpha", "stdbuf -oL notify-send -p --wait -a Editor 'Dismiss me' 'on the host'; echo exit=$?", "wait");
    std::string beta_id = run_app("beta", "notify-send -p -a Mail 'Beta stays' 'open'", "beta");
    std::vector<json> alpha;
    ASSERT_TRUE(wait_until([&] { return !(alpha = shown_from("alpha: Editor")).empty(); })) << relay().dump();
    ASSERT_TRUE(wait_until([&] { return !shown_from("beta: Mail").empty(); })) << relay().dump();
    std::string alpha_id;  // notify-send prints it once Notify returned (line-buffered by stdbuf)
    ASSERT_TRUE(wait_until([&] {
        return std::regex_match(alpha_id = output_of("alpha", "wait"), std::regex("[0-9]+\n"));
    })) << json(alpha_id).dump();

    // The user dismisses it on the host (mako's id, not the container's).
    ASSERT_EQ(makoctl({"dismiss", "-n", std::to_string(alpha[0]["id"].get<unsigned>())}), 0);
    ASSERT_TRUE(wait_until([&] { return output_of("alpha", "wait").find("exit=") != std::string::npos; }))
        << output_of("alpha", "wait") << s().log();
    EXPECT_EQ(output_of("alpha", "wait"), alpha_id + "exit=0\n");
    // Its app heard NotificationClosed with its own id and "dismissed" (2).
    std::string id = alpha_id.substr(0, alpha_id.size() - 1);
    ASSERT_TRUE(wait_until([&] {
        return output_of("alpha", "monitor").find("NotificationClosed (uint32 " + id + ", uint32 2)") !=
               std::string::npos;
    })) << output_of("alpha", "monitor");
    // beta heard nothing of it, and its own notification still shows.
    std::string beta_heard = output_of("beta", "monitor");
    EXPECT_EQ(beta_heard.find("NotificationClosed"), std::string::npos) << beta_heard;
    EXPECT_EQ(shown_from("beta: Mail").size(), 1u);
    EXPECT_TRUE(shown_from("alpha: Editor").empty());
    EXPECT_FALSE(beta_id.empty());
}

TEST_F(Notifications, AnActionChosenOnTheHostReachesOnlyTheAppThatOfferedItAndItsCloseClosesTheHostsOne)
{
    two_containers();
    monitor("beta");
    start_app("alpha", "stdbuf -oL notify-send -p -a Editor -A yes=Yes -A 'no=No thanks' 'Save changes?' 'report.txt'",
              "choose");
    std::vector<json> alpha;
    ASSERT_TRUE(wait_until([&] { return !(alpha = shown_from("alpha: Editor")).empty(); })) << relay().dump();
    // The host sees the labels under the session's keys (the action's index),
    // never the app's.
    EXPECT_EQ(alpha[0]["actions"], json({{"0", "Yes"}, {"1", "No thanks"}})) << alpha[0].dump();
    std::string alpha_id;  // notify-send prints it once Notify returned (line-buffered by stdbuf)
    ASSERT_TRUE(wait_until([&] {
        return std::regex_match(alpha_id = output_of("alpha", "choose"), std::regex("[0-9]+\n"));
    })) << json(alpha_id).dump();
    alpha_id.pop_back();

    // beta's own notification has the same id as alpha's (each agent counts
    // its own): beta closing that id closes beta's, never alpha's.
    std::string beta_id = run_app("beta", "notify-send -p -a Mail 'From beta' 'x'", "beta");
    ASSERT_EQ(beta_id, alpha_id + "\n");
    ASSERT_TRUE(wait_until([&] { return !shown_from("beta: Mail").empty(); }));
    std::string closed = run_app("beta",
                                 "gdbus call --session --dest org.freedesktop.Notifications --object-path "
                                 "/org/freedesktop/Notifications --method "
                                 "org.freedesktop.Notifications.CloseNotification " +
                                     alpha_id,
                                 "close");
    EXPECT_EQ(closed, "()\n");
    EXPECT_TRUE(wait_until([&] { return shown_from("beta: Mail").empty(); })) << "beta's close did not reach the host";
    EXPECT_EQ(shown_from("alpha: Editor").size(), 1u);

    // The user chooses "No thanks" on the host: alpha's notify-send prints its
    // own key, then closes its notification, which goes from the host too.
    ASSERT_EQ(makoctl({"invoke", "-n", std::to_string(alpha[0]["id"].get<unsigned>()), "1"}), 0);
    ASSERT_TRUE(wait_until([&] { return output_of("alpha", "choose") == alpha_id + "\nno\n"; }))
        << output_of("alpha", "choose") << s().log();
    EXPECT_TRUE(wait_until([&] { return shown_from("alpha: Editor").empty(); }))
        << "alpha's close did not reach the host";
    // beta's app heard only its own close (reason 3, by a call), no action.
    std::string beta_heard = output_of("beta", "monitor");
    EXPECT_NE(beta_heard.find("NotificationClosed (uint32 " + alpha_id + ", uint32 3)"), std::string::npos)
        << beta_heard;
    EXPECT_EQ(beta_heard.find("ActionInvoked"), std::string::npos) << beta_heard;
    EXPECT_TRUE(s().alive());
}

// The debian template (debootstrap from the host's mirror, a few minutes)
// has no host /usr: its own dbus-daemon gives its apps their session bus, and
// their notifications reach the host like a minimal container's.
TEST_F(Notifications, ADebianContainersAppsHaveTheirOwnSessionBusAndTheirNotificationsShowOnTheHost)
{
    if (std::getenv("CTOPBROKER_TEST_USER"))
        GTEST_SKIP() << "debootstrap needs root: a normal user cannot make a debian container";
    const std::string mirror = "http://deb.debian.org/debian/dists/bookworm/Release";
    if (std::system(("curl -sfI -m 10 -o /dev/null " + mirror).c_str()) != 0)
        GTEST_SKIP() << "the debian template needs a Debian mirror, and " << mirror << " is not reachable";
    fs::path client = std::getenv("NOTIFY_CLIENT");
    // A debian container runs on its own /usr: a client built with the
    // sanitizers cannot load there (no libasan); the normal build's run covers it.
    if (std::system(("ldd " + client.string() + " | grep -q 'libasan\\|libubsan'").c_str()) == 0)
        GTEST_SKIP() << client << " is built with the sanitizers, whose runtime a debian container's own /usr lacks";
    create("deb", {"--template", "debian", "--share", client.parent_path().string() + ":/opt/ctop-tests"});
    // Its first app (started by the worker with the bus) and a later one
    // (through the agent, which owns the notification server).
    spawn("deb", {"sh", "-c",
                  "dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus / "
                  "org.freedesktop.DBus.GetId > /tmp/id.out 2>&1; sleep 300"});
    std::string id;
    ASSERT_TRUE(wait_until([&] { return exec("deb", {"cat", "/tmp/id.out"}, &id) == 0 && !id.empty(); })) << s().log();
    EXPECT_TRUE(std::regex_search(id, std::regex("^ *[0-9a-f]{32}\\s*$"))) << id;
    // The container's own dbus-daemon: its /usr is not the host's (no mako there).
    std::string where;
    ASSERT_EQ(exec("deb", {"sh", "-c", "command -v dbus-daemon && command -v dbus-send && ! command -v mako"}, &where),
              0)
        << where;
    EXPECT_EQ(where, "/usr/bin/dbus-daemon\n/usr/bin/dbus-send\n");
    ASSERT_TRUE(wait_until([&] { return agent_of("deb").value("pid", -1) > 0; })) << s().log();
    std::string sent;
    EXPECT_TRUE(wait_until([&] {
        sent = run_app("deb", "/opt/ctop-tests/notify_client 1 Debian 'Hello from debian' 'its own bus'", "n");
        return sent.find("sent 1 in") != std::string::npos;
    })) << sent;
    std::vector<json> shown;
    ASSERT_TRUE(wait_until([&] { return !(shown = shown_from("deb: Debian")).empty(); })) << relay().dump();
    EXPECT_EQ(shown[0]["summary"], "Hello from debian 1");
    EXPECT_EQ(shown[0]["body"], "its own bus");
}

namespace {

// A session whose `ctopbroker-helper _agent` is a script writing what the test
// puts in agent-lines (after a true "started" line): an agent gone bad.
// Everything else is the real ctopbroker.
class HostileAgent : public Notifications {
protected:
    void SetUp() override
    {
        real_ = std::getenv("CTOPBROKER_BIN");
        char tmpl[] = "/var/tmp/ctopbroker-fake-agent-XXXXXX";
        ASSERT_TRUE(mkdtemp(tmpl));
        dir_ = tmpl;
        fs::permissions(dir_, fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
        fs::copy_file(fs::path(real_).parent_path() / "ctopbroker-session", dir_ / "ctopbroker-session");
        // The session starts its helpers from the directory it runs from: there
        // `_agent` is this script, every other role the real helper.
        const fs::path real_helper = fs::path(real_).parent_path() / "ctopbroker-helper";
        std::ofstream(dir_ / "ctopbroker-helper")
            << "#!/bin/sh\n"
               "case \"$1\" in\n"
               "_agent) read hello; printf '{\"event\":\"started\",\"pid\":%d}\\n' $$; cat \""
            << (dir_ / "agent-lines").string()
            << "\"; while read line; do :; done ;;\n"
               "*) exec \""
            << real_helper.string()
            << "\" \"$@\" ;;\n"
               "esac\n";
        // The CLI: `session` runs the copy beside the fake helper.
        std::ofstream(dir_ / "ctopbroker") << "#!/bin/sh\n"
                                              "case \"$1\" in\n"
                                              "session) shift; exec \""
                                           << (dir_ / "ctopbroker-session").string()
                                           << "\" \"$@\" ;;\n"
                                              "*) exec \""
                                           << real_
                                           << "\" \"$@\" ;;\n"
                                              "esac\n";
        for (const char* script : {"ctopbroker", "ctopbroker-helper"})
            fs::permissions(dir_ / script, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec |
                                               fs::perms::group_read | fs::perms::others_read);
        lines("");
        setenv("CTOPBROKER_BIN", (dir_ / "ctopbroker").c_str(), 1);
        Notifications::SetUp();
    }
    void TearDown() override
    {
        Notifications::TearDown();
        setenv("CTOPBROKER_BIN", real_.c_str(), 1);
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    void lines(const std::string& text) { std::ofstream(dir_ / "agent-lines") << text; }
    std::string real_;
    fs::path dir_;
};

}  // namespace

TEST_F(HostileAgent, AMalformedOrOversizedAgentLineEndsThatAgentAndHarmsNothingElse)
{
    create("alpha");
    const std::string big(2048 + 1, 'x');
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{\"event\":\"notify\",\"id\":1,\"summary\":\"hi\",\"body\":\"" + big + "\"}\n", "'body' is longer than"},
        {"{\"event\":\"notify\",\"id\":\"one\"}\n", "'id' is not a whole number"},
        {"{\"event\":\"notify\",\"id\":1,\"urgency\":9}\n", "'urgency' is out of range"},
        {"not json at all\n", "not a JSON object"},
        {std::string(600 * 1024, 'y'), "a line longer than"},
        {"{\"id\":77,\"ok\":true}\n", "which was not asked"},
        {"{\"event\":\"notify\",\"id\":1,\"actions\":[[\"a\",\"A\"],[\"b\",\"B\"],[\"c\",\"C\"],[\"d\",\"D\"],"
         "[\"e\",\"E\"]]}\n",
         "more than 4 actions"},
        {"{\"event\":\"notify\",\"id\":1,\"actions\":[[\"a\\u001b[31m\",\"A\"]]}\n", "an action's key is empty"},
    };
    int starts = 0;
    for (const auto& [line, why] : cases) {
        lines(line);
        // Each spawn goes through the worker (the agent before it was ended)
        // and starts a new agent, which misbehaves at once.
        spawn("alpha", {"sleep", "300"});
        ++starts;
        ASSERT_TRUE(wait_until([&] {
            json a = agent_of("alpha");
            return a.value("starts", 0) == starts && a.value("running", true) == false;
        })) << why
            << "\n"
            << s().log();
        EXPECT_NE(s().log().find("agent ended: it sent "), std::string::npos);
        EXPECT_NE(s().log().find(why), std::string::npos) << why;
        EXPECT_TRUE(s().alive());
    }
    // Nothing of it reached the host: no notification was forwarded (the
    // relay never even started), and the session still serves.
    EXPECT_FALSE(s().status().contains("notifications"));
    EXPECT_EQ(s().log().find(big.substr(0, 100)), std::string::npos) << "the session printed the line";
    EXPECT_TRUE(s().wait_views("host", 0));
    EXPECT_TRUE(s().alive());
}
