// The real-container fixture.
#include "container_test.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace ctop::test {
namespace fs = std::filesystem;

namespace {

bool has_range_in(const char* file, const std::string& user)
{
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(user + ":") || line.starts_with("0:")) return true;
    return false;
}

}  // namespace

bool has_subordinate_ids(const std::string& user)
{
    return has_range_in("/etc/subuid", user) && has_range_in("/etc/subgid", user);
}

void ContainerTest::SetUp()
{
    if (geteuid() != 0) GTEST_SKIP() << "creating LXC containers here needs root (it makes the test user)";
    const TestUser* user = test_user();  // the session's user, when not root
    // Containers are unprivileged by default: root needs its subordinate ids.
    ASSERT_TRUE(user || has_subordinate_ids("root"))
        << "root has no range in /etc/subuid and /etc/subgid: run `ctopbroker setup` (scripts/run test does)";
    char tmpl[] = "/var/tmp/ctopbroker-lxc-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    lxcpath_ = tmpl;
    fs::permissions(lxcpath_, fs::perms::others_exec, fs::perm_options::add);  // unprivileged roots walk it
    if (user) ASSERT_EQ(chown(tmpl, user->uid, user->gid), 0) << "cannot give " << tmpl << " to " << user->name;
    setenv("CTOPBROKER_LXCPATH", tmpl, 1);
    s_ = std::make_unique<Session>();
}

void ContainerTest::TearDown()
{
    if (!s_) return;
    for (const auto& name : created_) s_->cli({"destroy", "--force", name});
    s_.reset();
    std::error_code ec;
    fs::remove_all(lxcpath_, ec);
    unsetenv("CTOPBROKER_LXCPATH");
}

void ContainerTest::create(const std::string& name, std::vector<std::string> extra, bool privileged)
{
    std::vector<std::string> args{"create", name};
    if (privileged) args.push_back("--privileged");
    // No bridge here unless a test builds its own world (tests/network_test.cpp).
    if (std::find(extra.begin(), extra.end(), "--network") == extra.end())
        args.insert(args.end(), {"--network", "none"});
    args.insert(args.end(), extra.begin(), extra.end());
    std::string out, err;
    ASSERT_EQ(s().cli(args, &out, &err), 0) << err;
    created_.push_back(name);
}

void ContainerTest::spawn(const std::string& name, std::vector<std::string> cmd)
{
    std::vector<std::string> args{"spawn", name, "--"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    std::string out, err;
    ASSERT_EQ(s().cli(args, &out, &err), 0) << err;
}

int ContainerTest::exec(const std::string& name, std::vector<std::string> cmd, std::string* out)
{
    std::vector<std::string> args{"exec", name, "--"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    return s().cli(args, out);
}

}  // namespace ctop::test
