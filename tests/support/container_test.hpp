// ContainerTest: a fixture with a real session and a throw-away lxcpath, for
// tests that create real LXC containers. Containers made with create() are
// destroyed afterwards, whatever the test did.
#pragma once

#include "harness.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace ctop::test {

// Whether /etc/subuid and /etc/subgid give `user` a range.
bool has_subordinate_ids(const std::string& user);

class ContainerTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;
    Session& s() { return *s_; }

    // `ctopbroker create NAME EXTRA...` (unprivileged, as users get it; --privileged when
    // asked; --network none unless EXTRA says); fails the test on error.
    void create(const std::string& name, std::vector<std::string> extra = {}, bool privileged = false);
    // `ctopbroker spawn NAME -- CMD...`; fails the test on error.
    void spawn(const std::string& name, std::vector<std::string> cmd);
    // `ctopbroker exec NAME -- CMD...`; its exit status and stdout.
    int exec(const std::string& name, std::vector<std::string> cmd, std::string* out = nullptr);

    std::filesystem::path lxcpath_;
    std::unique_ptr<Session> s_;
    std::vector<std::string> created_;
};

}  // namespace ctop::test
