// A container's life after create, as its user lives it: changing its policy
// with `set`, snapshots, clones, renames, exports. Real session, real
// (unprivileged) containers in a throw-away lxcpath.
#include "support/container_test.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

namespace ctop::test {
namespace {
namespace fs = std::filesystem;

class Lifecycle : public ContainerTest {
protected:
    fs::path policy_file(const std::string& name) const
    {
        return s_->runtime_dir() / "config" / "ctopbroker" / "containers" / (name + ".toml");
    }
    static std::string read(const fs::path& file)
    {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    // One of the container's cgroup files, read on the host through its
    // init's /proc/PID/cgroup (v2 file name, else v1 controller and file).
    std::string cgroup(const std::string& name, const std::string& v2_file, const std::string& v1_file)
    {
        std::string pid;
        s().run({"lxc-info", "-P", lxcpath_.string(), "-n", name, "-pH"}, {}, &pid);
        std::ifstream cgroups("/proc/" + pid.substr(0, pid.find('\n')) + "/cgroup");
        const std::string controller = v1_file.substr(0, v1_file.find('/'));
        for (std::string line; std::getline(cgroups, line);) {
            auto colon = line.find(':'), second = line.find(':', colon + 1);
            std::string controllers = line.substr(colon + 1, second - colon - 1), path = line.substr(second + 1);
            fs::path file;
            if (controllers == controller)
                file = "/sys/fs/cgroup/" + controller + path + "/" + v1_file.substr(controller.size() + 1);
            else if (line.starts_with("0::") && fs::exists("/sys/fs/cgroup" + path + "/" + v2_file))
                file = "/sys/fs/cgroup" + path + "/" + v2_file;
            else continue;
            std::string value = read(file);
            return value.substr(0, value.find_last_not_of('\n') + 1);
        }
        return "";
    }
    std::string get(const std::string& name, const std::string& key)
    {
        std::string out;
        EXPECT_EQ(s().cli({"get", name, key}, &out), 0);
        return out.substr(0, out.find_last_not_of('\n') + 1);
    }
};

TEST_F(Lifecycle, RaisingMemoryAndPidsWithSetTakesEffectAtTheNextSpawn)
{
    create("life", {"--memory", "256m", "--pids", "500"});
    spawn("life", {"sleep", "600"});
    EXPECT_EQ(cgroup("life", "memory.max", "memory/memory.limit_in_bytes"), std::to_string(256ull << 20));
    EXPECT_EQ(cgroup("life", "pids.max", "pids/pids.max"), "500");

    std::string out, err;
    ASSERT_EQ(s().cli({"set", "life", "memory=1.5G", "pids=123"}, &out, &err), 0) << err;
    EXPECT_NE(out.find("next start"), std::string::npos) << "set did not say when a running container sees it: " << out;
    EXPECT_EQ(get("life", "memory"), "1536M");
    EXPECT_EQ(get("life", "pids"), "123");

    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    spawn("life", {"sleep", "600"});
    EXPECT_EQ(cgroup("life", "memory.max", "memory/memory.limit_in_bytes"), std::to_string(3ull << 29));
    EXPECT_EQ(cgroup("life", "pids.max", "pids/pids.max"), "123");

    // "none" takes the limit away at the next start.
    ASSERT_EQ(s().cli({"set", "life", "pids=none"}, &out, &err), 0) << err;
    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    spawn("life", {"sleep", "600"});
    EXPECT_EQ(cgroup("life", "pids.max", "pids/pids.max"), "max");
}

TEST_F(Lifecycle, BadValuesAreRefusedBeforeTheFileIsTouched)
{
    create("life", {"--memory", "4g"});
    EXPECT_EQ(get("life", "memory"), "4G");
    const std::string before = read(policy_file("life"));
    for (std::vector<std::string> bad : {std::vector<std::string>{"memory=0"},
                                         {"memory=-1G"},
                                         {"memory=1K"},
                                         {"pids=0"},
                                         {"color=red"},
                                         {"network=wifi"},
                                         {"nonsense=1"},
                                         {"mic=true", "memory=1K"}}) {
        std::string err;
        std::vector<std::string> args{"set", "life"};
        args.insert(args.end(), bad.begin(), bad.end());
        EXPECT_EQ(s().cli(args, nullptr, &err), 2) << bad.back();
        EXPECT_NE(err.find(bad.back().substr(0, bad.back().find('='))), std::string::npos) << err;
        EXPECT_LT(err.size(), 400u) << err;
    }
    EXPECT_EQ(read(policy_file("life")), before) << "a refused set changed the policy";

    // create's flags go through the same checks.
    std::string err;
    EXPECT_EQ(s().cli({"create", "other", "--pids", "0"}, nullptr, &err), 2);
    EXPECT_NE(err.find("--pids"), std::string::npos) << err;
    EXPECT_LT(err.size(), 200u) << "--pids 0 said too much: " << err;
    EXPECT_EQ(s().cli({"create", "other", "--memory", "-1G"}, nullptr, &err), 2);
    EXPECT_EQ(s().cli({"create", "other", "--memory", "0"}, nullptr, &err), 2);
    EXPECT_EQ(s().cli({"get", "other"}, nullptr, &err), 1) << "a refused create left a container behind";
}

TEST_F(Lifecycle, APolicyThatNoLongerLoadsStopsTheSpawnNamingFileLineAndKey)
{
    create("life");
    const fs::path file = policy_file("life");
    const std::string good = read(file);
    auto line_of = [](const std::string& text, const std::string& what) {
        return std::to_string(1 + std::count(text.begin(), text.begin() + text.find(what), '\n'));
    };
    std::string bad_key = "bogus = 1\n" + good;  // on top, where a top-level key belongs
    std::string bad_type = good;
    bad_type.replace(bad_type.find("mic = false"), 11, "mic = \"yes\"");
    for (auto [text, key, line] :
         {std::tuple{bad_key, "bogus", std::string("1")}, std::tuple{bad_type, "mic", line_of(good, "mic = false")}}) {
        {
            std::ofstream(file) << text;
        }
        std::string err;
        EXPECT_NE(s().cli({"spawn", "life", "--", "sleep", "600"}, nullptr, &err), 0);
        EXPECT_NE(err.find(file.string() + ":" + line + ": " + key), std::string::npos) << err;
        EXPECT_NE(s().cli({"get", "life"}, nullptr, &err), 0);
    }
    {
        std::ofstream(file) << good;
    }
    spawn("life", {"sleep", "600"});
}

// --- snapshots, clones, renames -----------------------------------------------------

TEST_F(Lifecycle, ARestoredSnapshotBringsBackTheFilesAndThePolicyOfItsDay)
{
    create("life");
    spawn("life", {"sleep", "600"});
    ASSERT_EQ(exec("life", {"/bin/sh", "-c", "echo before > /home/user/data"}), 0);
    std::string err;
    EXPECT_NE(s().cli({"snapshot", "life", "pre-upgrade"}, nullptr, &err), 0) << "a running container was snapshotted";
    EXPECT_NE(err.find("ctopbroker stop life"), std::string::npos) << err;
    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    ASSERT_EQ(s().cli({"snapshot", "life", "pre-upgrade"}, nullptr, &err), 0) << err;
    std::string out;
    ASSERT_EQ(s().cli({"snapshots", "life"}, &out), 0);
    EXPECT_NE(out.find("snap0"), std::string::npos) << out;
    EXPECT_NE(out.find("pre-upgrade"), std::string::npos) << out;

    // The "upgrade": new files, a changed policy.
    spawn("life", {"sleep", "600"});
    ASSERT_EQ(exec("life", {"/bin/sh", "-c", "echo after > /home/user/data && touch /home/user/new"}), 0);
    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    ASSERT_EQ(s().cli({"set", "life", "mic=true", "pids=300"}), 0);

    ASSERT_EQ(s().cli({"restore", "life", "pre-upgrade"}, &out, &err), 0) << err;
    EXPECT_EQ(get("life", "mic"), "false");
    EXPECT_EQ(get("life", "pids"), "4096");
    spawn("life", {"sleep", "600"});
    out.clear();
    exec("life", {"cat", "/home/user/data"}, &out);
    EXPECT_EQ(out, "before\n");
    EXPECT_NE(exec("life", {"test", "-e", "/home/user/new"}), 0) << "a file made after the snapshot survived restore";
    // The copy kept the unprivileged ownership: the container's user still owns its files.
    out.clear();
    exec("life", {"stat", "-c", "%u:%g", "/home/user/data"}, &out);
    EXPECT_EQ(out, "1000:1000\n");
    ASSERT_EQ(s().cli({"snapshots", "life"}, &out), 0);
    EXPECT_NE(out.find("pre-upgrade"), std::string::npos) << "restore lost the snapshot: " << out;

    // destroy asks for --force, for the running container and for its snapshots.
    EXPECT_NE(s().cli({"destroy", "life"}, nullptr, &err), 0);
    EXPECT_NE(err.find("--force"), std::string::npos) << err;
    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    EXPECT_NE(s().cli({"destroy", "life"}, nullptr, &err), 0);
    EXPECT_NE(err.find("snapshot"), std::string::npos) << err;
    EXPECT_NE(err.find("--force"), std::string::npos) << err;
    ASSERT_EQ(s().cli({"destroy", "--force", "life"}, nullptr, &err), 0) << err;
    EXPECT_FALSE(fs::exists(lxcpath_ / "life"));
    EXPECT_FALSE(fs::exists(policy_file("life")));
}

TEST_F(Lifecycle, ACloneHasTheDataAndPolicyButItsOwnNameColourAndPaths)
{
    create("life", {"--memory", "300M"});
    spawn("life", {"sleep", "600"});
    ASSERT_EQ(exec("life", {"/bin/sh", "-c", "echo mine > /home/user/data"}), 0);
    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    std::string out, err;
    ASSERT_EQ(s().cli({"clone", "life", "copy"}, &out, &err), 0) << err;
    created_.push_back("copy");
    EXPECT_EQ(get("copy", "memory"), "300M");
    EXPECT_NE(get("copy", "color"), get("life", "color"));
    EXPECT_FALSE(get("copy", "color").empty());

    // No path of the original is left in the clone's config.
    std::string config = read(lxcpath_ / "copy" / "config");
    EXPECT_EQ(config.find((lxcpath_ / "life").string()), std::string::npos) << config;
    EXPECT_NE(config.find("lxc.log.file = " + (lxcpath_ / "copy" / "copy.log").string()), std::string::npos) << config;
    EXPECT_NE(config.find("lxc.uts.name = copy"), std::string::npos) << config;

    spawn("life", {"sleep", "600"});
    spawn("copy", {"sleep", "600"});
    out.clear();
    exec("copy", {"cat", "/home/user/data"}, &out);
    EXPECT_EQ(out, "mine\n");
    out.clear();
    exec("copy", {"stat", "-c", "%u:%g", "/home/user/data"}, &out);
    EXPECT_EQ(out, "1000:1000\n");
    out.clear();
    exec("copy", {"hostname"}, &out);
    EXPECT_EQ(out, "copy\n");
    // The two are apart: a file made in one is not in the other.
    ASSERT_EQ(exec("copy", {"touch", "/home/user/only-copy"}), 0);
    EXPECT_NE(exec("life", {"test", "-e", "/home/user/only-copy"}), 0);
}

TEST_F(Lifecycle, ARenamedContainerKeepsItsDataAndPolicyUnderItsNewName)
{
    create("life", {"--pids", "321"});
    spawn("life", {"sleep", "600"});
    ASSERT_EQ(exec("life", {"/bin/sh", "-c", "echo kept > /home/user/data"}), 0);
    std::string err;
    EXPECT_NE(s().cli({"rename", "life", "renamed"}, nullptr, &err), 0) << "a running container was renamed";
    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    const std::string color = get("life", "color");
    ASSERT_EQ(s().cli({"rename", "life", "renamed"}, nullptr, &err), 0) << err;
    created_.push_back("renamed");
    EXPECT_EQ(get("renamed", "pids"), "321");
    EXPECT_EQ(get("renamed", "color"), color);
    EXPECT_NE(s().cli({"get", "life"}), 0);
    EXPECT_FALSE(fs::exists(lxcpath_ / "life"));
    if (fs::exists(lxcpath_ / "life"))
        for (auto& e : fs::recursive_directory_iterator(lxcpath_ / "life")) std::cerr << "left: " << e.path() << "\n";
    std::string config = read(lxcpath_ / "renamed" / "config");
    EXPECT_EQ(config.find((lxcpath_ / "life").string()), std::string::npos) << config;
    spawn("renamed", {"sleep", "600"});
    std::string out;
    exec("renamed", {"cat", "/home/user/data"}, &out);
    EXPECT_EQ(out, "kept\n");
}

TEST_F(Lifecycle, AnExportImportsAsANewContainerWithItsDataPolicyAndOwners)
{
    create("life", {"--memory", "300M"});
    spawn("life", {"sleep", "600"});
    ASSERT_EQ(exec("life", {"/bin/sh", "-c", "echo travels > /home/user/data"}), 0);
    const fs::path archive = lxcpath_ / "life.tar.zst";
    std::string out, err;
    EXPECT_NE(s().cli({"export", "life", archive.string()}, nullptr, &err), 0) << "a running container was exported";
    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    ASSERT_EQ(s().cli({"export", "life", archive.string()}, &out, &err), 0) << err;
    EXPECT_GT(fs::file_size(archive), 0u);
    EXPECT_NE(s().cli({"export", "life", archive.string()}, nullptr, &err), 0) << "an export overwrote a file";

    // Owners in the archive are the container's own ids, not this host's subordinate ones.
    std::string listing;
    s().run({"tar", "--zstd", "--numeric-owner", "-tvf", archive.string(), "rootfs/home/user/data"}, {}, &listing);
    EXPECT_NE(listing.find("1000/1000"), std::string::npos) << listing;

    ASSERT_EQ(s().cli({"import", archive.string(), "copy"}, &out, &err), 0) << err;
    created_.push_back("copy");
    EXPECT_EQ(get("copy", "memory"), "300M");
    EXPECT_NE(get("copy", "color"), get("life", "color"));
    std::string config = read(lxcpath_ / "copy" / "config");
    EXPECT_EQ(config.find((lxcpath_ / "life").string()), std::string::npos) << config;
    spawn("copy", {"sleep", "600"});
    out.clear();
    exec("copy", {"cat", "/home/user/data"}, &out);
    EXPECT_EQ(out, "travels\n");
    out.clear();
    exec("copy", {"stat", "-c", "%u:%g", "/home/user/data"}, &out);
    EXPECT_EQ(out, "1000:1000\n");

    // Without a name it comes back under its own.
    ASSERT_EQ(s().cli({"destroy", "life"}, nullptr, &err), 0) << err;
    ASSERT_EQ(s().cli({"import", archive.string()}, &out, &err), 0) << err;
    EXPECT_EQ(get("life", "memory"), "300M");
}

TEST_F(Lifecycle, AnArchiveWhoseConfigWouldRunSomethingOnTheHostIsRefused)
{
    const fs::path src = lxcpath_ / "evil-src";
    fs::create_directories(src / "rootfs");
    {
        std::ofstream(src / "config")
            << "lxc.uts.name = evil\nlxc.rootfs.path = dir:/x\nlxc.hook.pre-start = /bin/touch /tmp/pwned\n";
    }
    const fs::path archive = lxcpath_ / "evil.tar.zst";
    ASSERT_EQ(s().run({"tar", "--zstd", "-cf", archive.string(), "-C", src.string(), "config", "rootfs"}), 0);
    std::string err;
    EXPECT_NE(s().cli({"import", archive.string()}, nullptr, &err), 0);
    EXPECT_NE(err.find("line 3"), std::string::npos) << err;
    EXPECT_NE(err.find("lxc.hook.pre-start"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(lxcpath_ / "evil"));
    EXPECT_NE(s().cli({"get", "evil"}), 0);
}

// --- devices ------------------------------------------------------------------------

// A device node made for the test in the host's /dev, gone afterwards.
struct TestNode {
    fs::path path;
    TestNode(const std::string& name, unsigned major, unsigned minor) : path("/dev/" + name)
    {
        ::unlink(path.c_str());
        if (mknod(path.c_str(), S_IFCHR | 0666, makedev(major, minor)) != 0) path.clear();
        else chmod(path.c_str(), 0666);
    }
    ~TestNode()
    {
        if (!path.empty()) ::unlink(path.c_str());
    }
};

TEST_F(Lifecycle, AGrantedDeviceIsInsideFromTheNextSpawnAndGoneWhenTakenAway)
{
    const std::string tag = "ctoptest-" + std::to_string(getpid());
    // /dev/full's numbers (harmless), and a major no driver has: opening it
    // says ENXIO when the cgroup lets it through, EPERM when it does not.
    TestNode full(tag + "-full", 1, 7), nodriver(tag + "-nodriver", 240, 7);
    ASSERT_FALSE(full.path.empty() || nodriver.path.empty()) << "mknod in /dev failed";
    create("life");
    spawn("life", {"sleep", "600"});
    auto present = [&](const fs::path& node) { return exec("life", {"test", "-c", node.string()}) == 0; };
    EXPECT_FALSE(present(full.path)) << "a device nobody granted is inside";
    EXPECT_FALSE(present(nodriver.path));

    std::string out, err;
    ASSERT_EQ(s().cli({"set", "life", "devices=" + full.path.string() + "," + nodriver.path.string()}, &out, &err), 0)
        << err;
    EXPECT_FALSE(present(full.path)) << "the grant reached a running container before its next start";
    ASSERT_EQ(s().cli({"list"}, &out), 0);
    EXPECT_NE(out.find(full.path.string()), std::string::npos) << out;

    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    spawn("life", {"sleep", "600"});
    ASSERT_TRUE(present(full.path));
    ASSERT_TRUE(present(nodriver.path));
    out.clear();
    exec("life", {"/bin/sh", "-c", "head -c 4 " + full.path.string() + " | wc -c"}, &out);
    EXPECT_EQ(out.substr(out.find_first_not_of(' ')), "4\n") << "the granted device is not usable inside";
    out.clear();
    exec("life", {"/bin/sh", "-c", "cat " + nodriver.path.string() + " 2>&1"}, &out);
    EXPECT_NE(out.find("No such device or address"), std::string::npos)
        << "the device's cgroup rule is missing (EPERM rather than the driver's ENXIO): " << out;

    ASSERT_EQ(s().cli({"set", "life", "devices="}, &out, &err), 0) << err;
    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    spawn("life", {"sleep", "600"});
    EXPECT_FALSE(present(full.path)) << "a device taken away is still inside";

    // A device that is not there stops the spawn, saying which.
    ASSERT_EQ(s().cli({"set", "life", "devices=/dev/" + tag + "-absent"}, &out, &err), 0) << err;
    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    EXPECT_NE(s().cli({"spawn", "life", "--", "sleep", "600"}, nullptr, &err), 0);
    EXPECT_NE(err.find("devices: /dev/" + tag + "-absent"), std::string::npos) << err;
}

// --- file exchange --------------------------------------------------------------------

TEST_F(Lifecycle, ACopiedFileArrivesInTheDestinationsIncomingFolderAndNeverOverwrites)
{
    create("alpha");
    create("beta");
    spawn("alpha", {"sleep", "600"});
    spawn("beta", {"sleep", "600"});
    ASSERT_EQ(
        exec("alpha", {"/bin/sh", "-c", "echo 'report v1' > doc.txt && mkdir -p proj/src && echo x > proj/src/main.c"}),
        0);
    std::string out, err;
    ASSERT_EQ(s().cli({"copy", "alpha:doc.txt", "beta"}, &out, &err), 0) << err;
    std::string got;
    exec("beta", {"cat", "/home/user/Incoming/alpha/doc.txt"}, &got);
    EXPECT_EQ(got, "report v1\n");
    got.clear();
    exec("beta", {"stat", "-c", "%u:%g", "/home/user/Incoming/alpha/doc.txt"}, &got);
    EXPECT_EQ(got, "1000:1000\n");
    EXPECT_TRUE(wait_until([&] {
        return s().log().find("notice: Copied doc.txt from alpha to beta") != std::string::npos;
    })) << "no notice in the session log";

    // A second copy of the same name is refused; the first stays as it was.
    ASSERT_EQ(exec("alpha", {"/bin/sh", "-c", "echo 'report v2' > doc.txt"}), 0);
    EXPECT_NE(s().cli({"copy", "alpha:doc.txt", "beta"}, nullptr, &err), 0);
    EXPECT_NE(err.find("never overwrites"), std::string::npos) << err;
    got.clear();
    exec("beta", {"cat", "/home/user/Incoming/alpha/doc.txt"}, &got);
    EXPECT_EQ(got, "report v1\n");

    // Directories too.
    ASSERT_EQ(s().cli({"copy", "alpha:/home/user/proj", "beta"}, &out, &err), 0) << err;
    got.clear();
    exec("beta", {"cat", "/home/user/Incoming/alpha/proj/src/main.c"}, &got);
    EXPECT_EQ(got, "x\n");

    // Over the destination's cap: refused, nothing half-copied left.
    ASSERT_EQ(s().cli({"set", "beta", "incoming_max_bytes=64K"}, &out, &err), 0) << err;
    ASSERT_EQ(exec("alpha", {"/bin/sh", "-c", "head -c 1048576 /dev/urandom > big.bin"}), 0);
    EXPECT_NE(s().cli({"copy", "alpha:big.bin", "beta"}, nullptr, &err), 0);
    EXPECT_NE(err.find("incoming_max_bytes"), std::string::npos) << err;
    EXPECT_NE(exec("beta", {"test", "-e", "/home/user/Incoming/alpha/big.bin"}), 0);
    // A path the source does not have.
    EXPECT_NE(s().cli({"copy", "alpha:nothing-here", "beta"}, nullptr, &err), 0);
    EXPECT_NE(err.find("could not read"), std::string::npos) << err;
}

// --- list ---------------------------------------------------------------------------

TEST_F(Lifecycle, ListShowsDiskUseMemoryInUseAndWhatRuns)
{
    create("life", {"--memory", "512M"});
    spawn("life", {"sleep", "600"});
    // 8 MiB of data the rootfs did not have.
    ASSERT_EQ(exec("life", {"/bin/sh", "-c", "head -c 8388608 /dev/urandom > /home/user/blob"}), 0);
    std::string out;
    ASSERT_EQ(s().cli({"list", "--json"}, &out), 0);
    auto list = nlohmann::json::parse(out);
    ASSERT_EQ(list.size(), 1u) << out;
    const auto& e = list[0];
    EXPECT_GE(e["disk"].get<std::uint64_t>(), 8ull << 20) << out;
    EXPECT_LT(e["disk"].get<std::uint64_t>(), 200ull << 20) << "the minimal rootfs counted the host's /usr? " << out;
    ASSERT_TRUE(e["memory"].is_number()) << out;
    EXPECT_GT(e["memory"].get<std::uint64_t>(), 0u);
    EXPECT_LE(e["memory"].get<std::uint64_t>(), 512ull << 20);
    EXPECT_TRUE(e["programs"].contains("sleep")) << out;
    ASSERT_EQ(s().cli({"list"}, &out), 0);
    EXPECT_NE(out.find("sleep"), std::string::npos) << out;

    ASSERT_EQ(s().cli({"stop", "life"}), 0);
    ASSERT_EQ(s().cli({"list", "--json"}, &out), 0);
    list = nlohmann::json::parse(out);
    EXPECT_TRUE(list[0]["memory"].is_null()) << out;
    EXPECT_TRUE(list[0]["programs"].empty()) << out;
    EXPECT_GE(list[0]["disk"].get<std::uint64_t>(), 8ull << 20) << out;
}

}  // namespace
}  // namespace ctop::test
