// The typed protocols between the session and its helper processes, each as
// one side writes it and the other reads it back, and what the reading side
// refuses: the agent's requests and events, the control socket's pointer
// request, the Xwayland launch information.
#include "agent_protocol.hpp"
#include "control_protocol.hpp"
#include "xwayland_launch_info.hpp"

#include <gtest/gtest.h>

using namespace ctop;

// --- agent: what the session asks ---------------------------------------------------------------

TEST(AgentRequests, WhatTheSessionAsksTheAgentReadsBack)
{
    std::uint64_t id;
    std::string problem;
    auto spawn = parse_agent_request(agent_request_line(7, AgentSpawn{{"foot", "-e", "top"}, {"LANG=C"}, "/tmp"}), &id,
                                     &problem);
    ASSERT_TRUE(spawn) << problem;
    EXPECT_EQ(id, 7u);
    const auto& s = std::get<AgentSpawn>(spawn->call);
    EXPECT_EQ(s.argv, (std::vector<std::string>{"foot", "-e", "top"}));
    EXPECT_EQ(s.env, std::vector<std::string>{"LANG=C"});
    EXPECT_EQ(s.cwd, "/tmp");

    auto apps = parse_agent_request(agent_request_line(8, AgentListApps{}), &id, &problem);
    ASSERT_TRUE(apps) << problem;
    EXPECT_EQ(apps->id, 8u);
    EXPECT_TRUE(std::holds_alternative<AgentListApps>(apps->call));

    auto hello = parse_agent_hello(agent_hello_line({"work", "/var/lib/lxc"}), &problem);
    ASSERT_TRUE(hello) << problem;
    EXPECT_EQ(hello->container, "work");
    EXPECT_EQ(hello->lxcpath, "/var/lib/lxc");
}

TEST(AgentRequests, AnAppStartsInTheUsersHomeUnlessTheSessionSaysWhere)
{
    std::uint64_t id;
    auto req = parse_agent_request(R"({"id":1,"op":"spawn","argv":["xterm"]})", &id, nullptr);
    ASSERT_TRUE(req);
    EXPECT_EQ(std::get<AgentSpawn>(req->call).cwd, "/home/user");
    EXPECT_TRUE(std::get<AgentSpawn>(req->call).env.empty());
}

TEST(AgentRequests, AMalformedRequestIsRefusedAndAnsweredByItsIdWhenItHasOne)
{
    struct Case {
        std::string line;
        std::uint64_t id;
        std::string problem;
    };
    const Case cases[] = {
        {"not json", 0, "malformed request"},
        {R"({"op":"apps"})", 0, "malformed request"},
        {R"({"id":-1,"op":"apps"})", 0, "malformed request"},
        {R"([1,2])", 0, "malformed request"},
        {R"({"id":3,"op":"reboot"})", 3, "unknown op 'reboot'"},
        {R"({"id":4})", 4, "unknown op ''"},
        {R"({"id":5,"op":"spawn","argv":"xterm"})", 5, "'argv' is not a list"},
        {R"({"id":6,"op":"spawn","argv":["xterm",1]})", 6, "'argv' holds a non-string"},
        {R"({"id":7,"op":"spawn","argv":[]})", 7, "nothing to run (empty argv)"},
        {R"({"id":8,"op":"spawn","argv":["xterm"],"env":{}})", 8, "'env' is not a list"},
        {R"({"id":9,"op":"spawn","argv":["xterm"],"cwd":1})", 9, "'cwd' is not a string"},
        {R"({"id":10,"op":"a\u001b[2Jb"})", 10, "unknown op 'a?[2Jb'"},
    };
    for (const Case& c : cases) {
        std::uint64_t id = 99;
        std::string problem;
        EXPECT_FALSE(parse_agent_request(c.line, &id, &problem)) << c.line;
        EXPECT_EQ(id, c.id) << c.line;
        EXPECT_EQ(problem, c.problem) << c.line;
    }
}

TEST(AgentRequests, WhatTheHostDidWithANotificationReachesTheAgentUnanswered)
{
    std::uint64_t id;
    std::string problem;
    auto closed = parse_agent_request(agent_closed_event(7, 2), &id, &problem);
    ASSERT_TRUE(closed && closed->event) << problem;
    const auto& c = std::get<AgentNotificationClosed>(*closed->event);
    EXPECT_EQ(c.notification, 7u);
    EXPECT_EQ(c.reason, 2u);
    auto action = parse_agent_request(agent_action_event(8, "reply"), &id, &problem);
    ASSERT_TRUE(action && action->event) << problem;
    EXPECT_EQ(std::get<AgentNotificationAction>(*action->event).key, "reply");

    auto clamped = parse_agent_request(R"({"event":"closed","notification":1,"reason":99})", &id, &problem);
    ASSERT_TRUE(clamped && clamped->event);
    EXPECT_EQ(std::get<AgentNotificationClosed>(*clamped->event).reason, 4u) << "the specification's last reason";
    for (const char* ignored : {R"({"event":"closed","notification":-1,"reason":1})",
                                R"({"event":"closed","notification":4294967296,"reason":1})",
                                R"({"event":"action","notification":1,"key":5})", R"({"event":3,"notification":1})",
                                R"({"event":"resized","notification":1})"}) {
        auto line = parse_agent_request(ignored, &id, &problem);
        ASSERT_TRUE(line && line->event) << ignored;
        EXPECT_TRUE(std::holds_alternative<std::monostate>(*line->event)) << ignored;
    }
}

TEST(AgentRequests, ALineLongerThanTheAgentTakesIsRefusedUnread)
{
    std::uint64_t id;
    std::string problem;
    std::string huge = R"({"id":1,"op":"spawn","argv":[")" + std::string(max_agent_line, 'x') + "\"]}";
    EXPECT_FALSE(parse_agent_request(huge, &id, &problem));
    EXPECT_EQ(problem, "line too long");
    EXPECT_EQ(id, 0u);
}

TEST(AgentRequests, AHelloWithoutAContainerIsRefused)
{
    std::string problem;
    EXPECT_FALSE(parse_agent_hello("{}", &problem));
    EXPECT_NE(problem.find("first line"), std::string::npos);
    EXPECT_FALSE(parse_agent_hello(R"({"container":"a","lxcpath":3})", &problem));
    EXPECT_EQ(problem, "'lxcpath' is not a string");
    auto no_path = parse_agent_hello(R"({"container":"a"})", &problem);
    ASSERT_TRUE(no_path);
    EXPECT_EQ(no_path->lxcpath, "");
}

// --- control socket: the test pointer -----------------------------------------------------------

TEST(PointerRequest, EachActionTheCliSendsTheSessionReadsBack)
{
    using control::Pointer;
    std::string error;
    Pointer drag{Pointer::Action::drag, Pointer::Button::right, 10, 20, 300, 400};
    drag.hold = control::modifier_names("Super+Shift");
    auto back = control::parse_pointer(control::request(drag), &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->action, Pointer::Action::drag);
    EXPECT_EQ(back->button, Pointer::Button::right);
    EXPECT_EQ(back->x, 10);
    EXPECT_EQ(back->to_y, 400);
    EXPECT_EQ(back->hold, (std::vector<std::string>{"super", "shift"}));

    auto scroll =
        control::parse_pointer(control::request(Pointer{Pointer::Action::scroll, {}, 0, 0, 0, 0, -3}), &error);
    ASSERT_TRUE(scroll) << error;
    EXPECT_EQ(scroll->dy, -3);
    auto move = control::parse_pointer(control::request(Pointer{Pointer::Action::move, {}, 1.5, 2}), &error);
    ASSERT_TRUE(move) << error;
    EXPECT_EQ(move->x, 1.5);
    EXPECT_EQ(control::request(Pointer{Pointer::Action::click, Pointer::Button::middle}),
              (nlohmann::json{{"cmd", "pointer"}, {"action", "click"}, {"button", "middle"}}));
}

TEST(PointerRequest, AFieldThatDoesNotFitIsNamed)
{
    const std::pair<const char*, const char*> cases[] = {
        {R"({"cmd":"pointer"})", "pointer: 'action' must be one of move, click, scroll, drag"},
        {R"({"cmd":"pointer","action":"jump"})", "pointer: 'action' must be one of move, click, scroll, drag"},
        {R"({"cmd":"pointer","action":"move","x":1})", "pointer: missing 'y'"},
        {R"({"cmd":"pointer","action":"move","x":"1","y":2})", "pointer: 'x' must be a number"},
        {R"({"cmd":"pointer","action":"click","button":"fourth"})", "pointer: 'button' must be left, right or middle"},
        {R"({"cmd":"pointer","action":"scroll","dy":0})", "pointer: 'dy' must be -100 to 100, not 0"},
        {R"({"cmd":"pointer","action":"scroll","dy":18446744073709551615})",
         "pointer: 'dy' must be -100 to 100, not 0"},
        {R"({"cmd":"pointer","action":"scroll","dy":1.5})", "pointer: 'dy' must be a whole number of wheel steps"},
        {R"({"cmd":"pointer","action":"drag","x1":0,"y1":0,"x2":1})", "pointer: missing 'y2'"},
        {R"({"cmd":"pointer","action":"drag","x1":0,"y1":0,"x2":1,"y2":1,"hold":"Super+Hyper"})",
         "pointer: 'hold' must be modifiers joined by '+' (Super, Ctrl, Alt, Shift)"},
        {R"({"cmd":"pointer","action":"drag","x1":0,"y1":0,"x2":1,"y2":1,"hold":""})",
         "pointer: 'hold' must be modifiers joined by '+' (Super, Ctrl, Alt, Shift)"},
    };
    for (auto [line, message] : cases) {
        std::string error;
        EXPECT_FALSE(control::parse_pointer(nlohmann::json::parse(line), &error)) << line;
        EXPECT_EQ(error, message) << line;
    }
    std::string long_hold = R"({"cmd":"pointer","action":"drag","x1":0,"y1":0,"x2":1,"y2":1,"hold":")";
    for (int i = 0; i < 20; ++i) long_hold += "alt+";
    std::string error;
    EXPECT_FALSE(control::parse_pointer(nlohmann::json::parse(long_hold + "alt\"}"), &error)) << "longer than 64";
}

// --- Xwayland launch information ----------------------------------------------------------------

TEST(XwaylandLaunchInfo, WhatTheSessionWritesTheLauncherReadsBack)
{
    std::string error;
    auto info = parse_xwayland_launch_info(render_xwayland_launch_info({"work", "/var/lib/lxc", 7}), &error);
    ASSERT_TRUE(info) << error;
    EXPECT_EQ(info->container, "work");
    EXPECT_EQ(info->lxcpath, "/var/lib/lxc");
    EXPECT_EQ(info->x_fd, 7);
    EXPECT_EQ(info->uid, 1000u);
    EXPECT_EQ(info->gid, 1000u);
}

TEST(XwaylandLaunchInfo, TheLauncherRefusesAFieldItMustNotActOn)
{
    const std::pair<const char*, const char*> cases[] = {
        {"[]", "not a JSON object"},
        {R"({"container":"../etc","fd":3})", "\"container\" is not a container name"},
        {R"({"fd":3})", "\"container\" is not a container name"},
        {R"({"container":"work","lxcpath":1,"fd":3})", "\"lxcpath\" is not a string"},
        {R"({"container":"work"})", "\"fd\" is not a file descriptor"},
        {R"({"container":"work","fd":-1})", "\"fd\" is not a file descriptor"},
        {R"({"container":"work","fd":99999999999})", "\"fd\" is not a file descriptor"},
        {R"({"container":"work","fd":3,"uid":4294967295})", "\"uid\" or \"gid\" is not a user or group id"},
        {R"({"container":"work","fd":3,"gid":"0"})", "\"uid\" or \"gid\" is not a user or group id"},
    };
    for (auto [text, message] : cases) {
        std::string error;
        EXPECT_FALSE(parse_xwayland_launch_info(text, &error)) << text;
        EXPECT_EQ(error, message) << text;
    }
}
