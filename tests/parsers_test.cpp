// Pure parsers and renderers, each as a user meets it: a policy or session
// config written by hand, an lxc config the lxc-* tools read, id maps, the
// control protocol's typed requests, a process's /proc/PID/cgroup.
#include "container_namespaces.hpp"
#include "control_protocol.hpp"
#include "idmap.hpp"
#include "keybindings.hpp"
#include "lxc_config.hpp"
#include "policy.hpp"
#include "server.hpp"
#include "session_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

using namespace ctop;
namespace fs = std::filesystem;

namespace {

// A file with `text` in a fresh directory, removed with the test.
class TextFile {
public:
    TextFile(const std::string& name, const std::string& text)
    {
        char tmpl[] = "/tmp/ctop-parsers-XXXXXX";
        dir_ = mkdtemp(tmpl);
        std::ofstream(dir_ / name) << text;
        path_ = dir_ / name;
    }
    ~TextFile() { fs::remove_all(dir_); }
    const fs::path& path() const { return path_; }

private:
    fs::path dir_, path_;
};

std::string thrown_by(const std::function<void()>& f)
{
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

// --- session config ------------------------------------------------------------------------

TEST(SessionConfigFile, AMissingFileMeansTheDefaults)
{
    SessionConfig c = SessionConfig::load("/nonexistent/ctopbroker/config.toml");
    EXPECT_EQ(c.repeat_rate, 25);
    EXPECT_EQ(c.output_scale, 1.0);
    EXPECT_TRUE(c.bindings.empty());
}

TEST(SessionConfigFile, AUsersKeyboardBindingsAndScaleReachTheCompositorsOptions)
{
    TextFile f("config.toml", "[keyboard]\nlayout = \"de\"\nrepeat_rate = 40\n"
                              "[keybindings]\nnext_workspace = \"Super+n\"\n[output]\nscale = 2\n");
    SessionConfig c = SessionConfig::load(f.path());
    ServerOptions options;
    c.apply(options);
    EXPECT_EQ(options.xkb_layout, "de");
    EXPECT_EQ(options.repeat_rate, 40);
    EXPECT_EQ(options.output_scale, 2.0);
    EXPECT_EQ(c.bindings.at("next_workspace"), "Super+n");
}

TEST(SessionConfigFile, AMistakeIsNamedWithFileLineAndKey)
{
    TextFile f("config.toml", "[keyboard]\nlayout = \"de\"\nrepeat_rate = \"fast\"\n");
    std::string error = thrown_by([&] { SessionConfig::load(f.path()); });
    EXPECT_NE(error.find(f.path().string() + ":3"), std::string::npos) << error;
    EXPECT_NE(error.find("keyboard.repeat_rate"), std::string::npos) << error;

    TextFile g("config.toml", "[sound]\nloud = true\n");
    error = thrown_by([&] { SessionConfig::load(g.path()); });
    EXPECT_NE(error.find("unknown key or section"), std::string::npos) << error;
}

TEST(SessionConfigFile, AnUnknownActionIsRefusedWhenBindingsAreApplied)
{
    TextFile f("config.toml", "[keybindings]\nlaunch_rockets = \"Super+r\"\n");
    std::string error = thrown_by([&] {
        Keybindings k;
        SessionConfig::load(f.path()).apply(k);
    });
    EXPECT_NE(error.find("launch_rockets"), std::string::npos) << error;
}

// --- container policy ------------------------------------------------------------------------

TEST(PolicyFile, WhatCreateWritesALoadReadsBack)
{
    ContainerPolicy p;
    p.name = "alpha";
    p.color = "#336699";
    p.mic = true;
    p.x11 = false;
    p.memory_bytes = 1ull << 30;
    p.extra_globals = {"zwp_tablet_manager_v2"};
    p.shares = {{"/home/u/Documents", "/home/user/Documents", false}};
    TextFile f("alpha.toml", p.to_toml());
    ContainerPolicy q = ContainerPolicy::load("alpha", f.path());
    EXPECT_EQ(q.color, "#336699");
    EXPECT_TRUE(q.mic);
    EXPECT_FALSE(q.x11);
    EXPECT_EQ(q.memory_bytes, 1ull << 30);
    EXPECT_EQ(q.extra_globals, p.extra_globals);
    ASSERT_EQ(q.shares.size(), 1u);
    EXPECT_EQ(q.shares[0].path, "/home/user/Documents");
    EXPECT_FALSE(q.shares[0].read_only);
}

TEST(PolicyFile, AnUnknownKeyOrWrongTypeIsNamedWithItsLine)
{
    TextFile f("alpha.toml", "mic = true\nmicrophone = true\n");
    std::string error = thrown_by([&] { ContainerPolicy::load("alpha", f.path()); });
    EXPECT_NE(error.find(":2"), std::string::npos) << error;
    EXPECT_NE(error.find("microphone"), std::string::npos) << error;

    TextFile g("alpha.toml", "x11 = \"yes\"\n");
    error = thrown_by([&] { ContainerPolicy::load("alpha", g.path()); });
    EXPECT_NE(error.find("x11"), std::string::npos) << error;
}

TEST(PolicyFile, AMissingFileIsTheDefaultPolicy)
{
    ContainerPolicy p = ContainerPolicy::load_or_default("alpha", "/nonexistent/alpha.toml");
    EXPECT_FALSE(p.mic);
    EXPECT_TRUE(p.x11);
    EXPECT_TRUE(p.shares.empty());
}

TEST(PolicySizes, UnitsAreBinaryAndABareNumberIsBytes)
{
    EXPECT_EQ(parse_size("1048576"), 1048576u);
    EXPECT_EQ(parse_size("4K"), 4096u);
    EXPECT_EQ(parse_size("1G"), 1ull << 30);
    EXPECT_EQ(parse_size(""), std::nullopt);
    EXPECT_EQ(parse_size("12X"), std::nullopt);
}

// --- lxc config and id maps --------------------------------------------------------------------

TEST(LxcConfig, AnUnprivilegedContainersConfigIsPlainKeyValueLxcReads)
{
    containers::ConfigInputs in;
    in.name = "alpha";
    in.rootfs = "/var/lib/lxc/alpha/rootfs";
    in.idmap = containers::IdMap{{{0, 100000, 65536}}, {{0, 100000, 65536}}};
    in.cgroups = containers::CgroupLayout::V2;
    in.pids_limit = 4096;
    in.mounts = {{"/run/user/1000/ctopbroker/alpha", "/run/ctopbroker", false, false}};
    std::string config = containers::render_config(in);
    EXPECT_NE(config.find("lxc.rootfs.path = dir:/var/lib/lxc/alpha/rootfs\n"), std::string::npos) << config;
    EXPECT_NE(config.find("lxc.idmap = u 0 100000 65536\n"), std::string::npos) << config;
    EXPECT_NE(config.find("lxc.idmap = g 0 100000 65536\n"), std::string::npos) << config;
    EXPECT_NE(config.find("lxc.cgroup2.pids.max = 4096\n"), std::string::npos) << config;
    EXPECT_EQ(config.find("lxc.cgroup.pids.max"), std::string::npos) << "a v2 host ignores v1 keys";
    EXPECT_NE(config.find("lxc.mount.entry = /run/user/1000/ctopbroker/alpha run/ctopbroker none bind,create=dir 0 0"),
              std::string::npos)
        << config;
}

TEST(LxcConfig, RewritingTheMountBlockKeepsTheUsersOwnLines)
{
    containers::ConfigInputs in;
    in.name = "alpha";
    in.rootfs = "/r";
    in.mounts = {{"/old", "/mnt/old", true, false}};
    std::string config = containers::render_config(in) + "lxc.environment = MINE=1\n";
    std::string updated = containers::replace_mount_block("alpha", config, {{"/new dir", "/mnt/new", false, true}});
    EXPECT_EQ(updated.find("/old"), std::string::npos);
    EXPECT_NE(updated.find("/new\\040dir mnt/new none bind,create=file 0 0"), std::string::npos) << updated;
    EXPECT_NE(updated.find("lxc.environment = MINE=1\n"), std::string::npos);
    EXPECT_EQ(containers::replace_mount_block("alpha", updated, {{"/new dir", "/mnt/new", false, true}}), updated);
}

TEST(LxcConfig, AMountOverTheContainersRootOrFromARelativePathIsRefusedNamingIt)
{
    std::string error = thrown_by([] { containers::mount_entry_value("alpha", {"/etc", "mnt/etc", false, false}); });
    EXPECT_NE(error.find("container 'alpha'"), std::string::npos) << error;
    EXPECT_NE(error.find("'mnt/etc'"), std::string::npos) << error;
    EXPECT_NE(thrown_by([] { containers::mount_entry_value("alpha", {"/etc", "/", false, false}); }), "");
    EXPECT_NE(thrown_by([] { containers::mount_entry_value("alpha", {"relative", "/x", false, false}); }), "");
    // ".." cannot climb above the root: "/../etc" is the container's /etc.
    EXPECT_EQ(containers::mount_entry_value("alpha", {"/srv", "/../etc", true, false}),
              "/srv etc none bind,ro,create=dir 0 0");
}

TEST(LxcConfig, AMalformedBridgeOrMacIsRefused)
{
    EXPECT_NE(thrown_by([] { containers::network_block("alpha", {"br0; rm -rf /", "00:16:3e:00:00:01", "v"}); }), "");
    EXPECT_NE(thrown_by([] { containers::network_block("alpha", {"ctop-inet", "not-a-mac", "v"}); }), "");
    std::string loopback = containers::network_block("alpha", {});
    EXPECT_NE(loopback.find("lxc.net.0.type = empty"), std::string::npos) << loopback;
}

TEST(IdMaps, ConfigValuesParseBackToTheSameMap)
{
    containers::IdMap map{{{0, 100000, 65536}}, {{0, 200000, 1000}, {1000, 1000, 1}, {1001, 201001, 64535}}};
    std::string values;
    for (const auto& v : containers::idmap_config_values(map)) values += v + "\n";
    auto parsed = containers::parse_idmap_values(values);
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->gids.size(), 3u);
    EXPECT_EQ(parsed->gids[1].host, 1000u);
    EXPECT_EQ(containers::to_host(parsed->uids, 65534), 165534u);
    EXPECT_EQ(containers::to_host(parsed->gids, 1000), 1000u);
    EXPECT_EQ(containers::to_host(parsed->uids, 65536), std::nullopt);
    EXPECT_EQ(containers::parse_idmap_values(""), std::nullopt) << "a privileged container has no map";
}

// --- control protocol --------------------------------------------------------------------------

TEST(ControlProtocol, WhatTheCliSendsTheSessionReadsBack)
{
    control::Audio audio{"alpha", true, std::nullopt, false};
    nlohmann::json line = control::request(audio);
    EXPECT_EQ(check_request_fields(line), "");
    auto back = line.get<control::Audio>();
    EXPECT_EQ(back.name, "alpha");
    EXPECT_EQ(back.mute, true);
    EXPECT_EQ(back.volume, std::nullopt);
    EXPECT_EQ(back.mic, false);

    control::Spawn spawn{"alpha", "", {"foot", "-e", "top"}, {}};
    line = control::request(spawn);
    EXPECT_EQ(check_request_fields(line), "");
    EXPECT_FALSE(line.contains("lxcpath")) << "empty means the session's own";
    EXPECT_EQ(line.get<control::Spawn>().argv, spawn.argv);
    EXPECT_FALSE(line.get<control::Spawn>().desktop);
    // A desktop spawn carries no command: the session runs the policy's.
    line = control::request(control::Spawn{"alpha", "", {"foot"}, {}, true});
    EXPECT_EQ(check_request_fields(line), "");
    EXPECT_FALSE(line.contains("argv"));
    EXPECT_TRUE(line.get<control::Spawn>().desktop);
    EXPECT_NE(check_request_fields({{"cmd", "spawn"}, {"name", "alpha"}, {"desktop", "yes"}}), "");

    EXPECT_EQ(control::request(control::Workspace{2, ""}), (nlohmann::json{{"cmd", "workspace"}, {"slot", 2}}));
    EXPECT_EQ(control::request("status"), (nlohmann::json{{"cmd", "status"}}));
}

TEST(ControlProtocol, AppsOfOneContainerOrOfAll)
{
    EXPECT_EQ(control::request(control::Apps{}), (nlohmann::json{{"cmd", "apps"}}));
    nlohmann::json line = control::request(control::Apps{"alpha"});
    EXPECT_EQ(check_request_fields(line), "");
    EXPECT_EQ(line.get<control::Apps>().name, "alpha");
    EXPECT_NE(check_request_fields({{"cmd", "apps"}, {"name", 3}}), "");
}

TEST(ProcCgroup, AHybridHostsLinesGiveEachHierarchyItsPathAndWhereToJoin)
{
    std::istringstream file("12:memory:/lxc.payload.work\n"
                            "4:cpu,cpuacct:/lxc.payload.work\n"
                            "1:name=systemd:/lxc.payload.work\n"
                            "not a cgroup line\n"
                            "0::/lxc.payload.work\n");
    auto cgroups = parse_proc_cgroup(file);
    ASSERT_EQ(cgroups.size(), 4u);
    EXPECT_EQ(cgroups[0].controllers, "memory");
    EXPECT_EQ(cgroups[0].path, "/lxc.payload.work");
    EXPECT_EQ(cgroups[2].controllers, "systemd") << "a named hierarchy is mounted without 'name='";
    EXPECT_EQ(cgroups[3].controllers, "") << "cgroup2";
    EXPECT_EQ(cgroup_procs_files(cgroups[1]), std::vector<std::string>{"cpu,cpuacct/lxc.payload.work/cgroup.procs"});
    EXPECT_EQ(cgroup_procs_files(cgroups[3]),
              (std::vector<std::string>{"unified/lxc.payload.work/cgroup.procs", "./lxc.payload.work/cgroup.procs"}));
}

TEST(ProcCgroup, AProcessThatEndedHasNoCgroups)
{
    EXPECT_TRUE(cgroups_of(-1).empty());
    EXPECT_FALSE(cgroups_of(getpid()).empty()) << "this test's own process is in some cgroup";
}
