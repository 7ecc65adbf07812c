// Per-container clipboards with real wl-clipboard: each tagged socket stands
// for a container (the container suite repeats the story inside LXC).
#include "support/harness.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

using namespace ctop::test;
using nlohmann::json;

namespace {

struct TwoContainers : ::testing::Test {
    Session s;
    std::string alpha, beta;
    void SetUp() override
    {
        alpha = s.ctl({{"cmd", "socket"}, {"name", "alpha"}})["socket"];  // slot 2
        beta = s.ctl({{"cmd", "socket"}, {"name", "beta"}})["socket"];    // slot 3
    }
    bool has_selection(const std::string& container)
    {
        return s.ctl({{"cmd", "clipboard"}})["selections"].contains(container);
    }
    size_t buffer_bytes()
    {
        json b = s.ctl({{"cmd", "clipboard"}})["buffer"];
        return b.is_null() ? 0 : b["bytes"].get<size_t>();
    }
    // Copies from a file with wl-copy inside `socket`'s container; wl-copy keeps serving.
    void copy(const std::string& socket, const std::string& container, const std::string& file)
    {
        s.spawn({"sh", "-c", "exec wl-copy --foreground --type text/plain < " + file}, {{"WAYLAND_DISPLAY", socket}});
        ASSERT_TRUE(wait_until([&] { return has_selection(container); })) << container << " never got a selection";
    }
    int paste(const std::string& socket, std::string* out)
    {
        return s.run({"timeout", "10", "wl-paste", "--no-newline"}, {{"WAYLAND_DISPLAY", socket}}, out);
    }
    std::string write_file(const std::string& name, const std::string& data)
    {
        auto path = s.runtime_dir() / name;
        std::ofstream(path, std::ios::binary) << data;
        return path.string();
    }
};

std::string random_text(size_t bytes)
{
    std::mt19937 rng(42);
    const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789\n";
    std::string out(bytes, ' ');
    for (auto& c : out) c = alphabet[rng() % (sizeof alphabet - 1)];
    return out;
}

}  // namespace

TEST_F(TwoContainers, ACopiesAndBPastesNothing)
{
    ASSERT_EQ(s.key("Super+2"), "");
    copy(alpha, "alpha", write_file("a.txt", "secret-from-alpha"));

    ASSERT_EQ(s.key("Super+3"), "");
    std::string out;
    EXPECT_NE(paste(beta, &out), 0);
    EXPECT_EQ(out.find("secret"), std::string::npos);

    // Alpha itself still reads its own clipboard.
    ASSERT_EQ(s.key("Super+2"), "");
    ASSERT_EQ(paste(alpha, &out), 0);
    EXPECT_EQ(out, "secret-from-alpha");
}

TEST_F(TwoContainers, ExplicitCopyMovesExactlyTheBytesOnce)
{
    ASSERT_EQ(s.key("Super+2"), "");
    copy(alpha, "alpha", write_file("a.txt", "hello beta"));
    ASSERT_EQ(s.key("Super+Shift+c"), "");
    ASSERT_TRUE(wait_until([&] { return buffer_bytes() == 10; }));

    ASSERT_EQ(s.key("Super+3"), "");
    ASSERT_EQ(s.key("Super+Shift+v"), "");
    EXPECT_EQ(buffer_bytes(), 0u);  // offered once
    std::string out;
    ASSERT_EQ(paste(beta, &out), 0);
    EXPECT_EQ(out, "hello beta");
}

TEST_F(TwoContainers, TenMegabytesArriveIntact)
{
    std::string payload = random_text(10 << 20);
    ASSERT_EQ(s.key("Super+2"), "");
    copy(alpha, "alpha", write_file("big.txt", payload));
    ASSERT_EQ(s.key("Super+Shift+c"), "");
    ASSERT_TRUE(wait_until([&] { return buffer_bytes() == payload.size(); }, std::chrono::seconds(20)));
    ASSERT_EQ(s.key("Super+3"), "");
    ASSERT_EQ(s.key("Super+Shift+v"), "");
    std::string out;
    ASSERT_EQ(paste(beta, &out), 0);
    EXPECT_EQ(out.size(), payload.size());
    EXPECT_TRUE(out == payload) << "payload differs";
}

TEST_F(TwoContainers, AnUnfocusedContainerCannotSetTheClipboard)
{
    // Workspace alpha is not visible: its wl-copy never gets keyboard focus,
    // so it never gets a serial to set a selection with.
    std::string out;
    s.run({"timeout", "3", "wl-copy", "--foreground", "sneaky"}, {{"WAYLAND_DISPLAY", alpha}}, &out);
    EXPECT_FALSE(has_selection("alpha"));
    EXPECT_EQ(s.status()["current_workspace"], "host");
}

TEST_F(TwoContainers, HostClipboardIsSeparateToo)
{
    ASSERT_EQ(s.key("Super+2"), "");
    copy(alpha, "alpha", write_file("a.txt", "alpha-only"));
    ASSERT_EQ(s.key("Super+1"), "");
    std::string out;
    // The host's wl-paste uses data-control, which sees the focused
    // container's clipboard: the host's own, which is empty.
    EXPECT_NE(paste(s.host_socket(), &out), 0);
    EXPECT_EQ(out.find("alpha-only"), std::string::npos);
}

TEST_F(TwoContainers, PrimarySelectionStaysInItsContainer)
{
    ASSERT_EQ(s.key("Super+2"), "");
    s.spawn({"wl-copy", "--foreground", "--primary", "alpha-primary"}, {{"WAYLAND_DISPLAY", alpha}});
    std::string out;
    ASSERT_TRUE(wait_until([&] {
        return s.run({"timeout", "5", "wl-paste", "--primary", "-n"}, {{"WAYLAND_DISPLAY", alpha}}, &out) == 0 &&
               out == "alpha-primary";
    })) << out;
    ASSERT_EQ(s.key("Super+3"), "");
    out.clear();
    EXPECT_NE(s.run({"timeout", "5", "wl-paste", "--primary", "-n"}, {{"WAYLAND_DISPLAY", beta}}, &out), 0);
    EXPECT_EQ(out.find("alpha-primary"), std::string::npos);
}

TEST_F(TwoContainers, AScreenshotCopiedAsPngPastesByteForByteInTheOther)
{
    // A real PNG (ImageMagick), offered only as image/png: the explicit copy
    // takes it because the policy's MIME list allows image/png.
    std::string png = (s.runtime_dir() / "shot.png").string();
    ASSERT_EQ(s.run({"convert", "-size", "97x61", "plasma:fractal", "-seed", "7", png}), 0);
    std::string sum_before;
    ASSERT_EQ(s.run({"sha256sum", png}, {}, &sum_before), 0);
    ASSERT_EQ(s.key("Super+2"), "");
    s.spawn({"sh", "-c", "exec wl-copy --foreground --type image/png < " + png}, {{"WAYLAND_DISPLAY", alpha}});
    ASSERT_TRUE(wait_until([&] { return has_selection("alpha"); }));
    ASSERT_EQ(s.key("Super+Shift+c"), "");
    ASSERT_TRUE(wait_until([&] {
        json b = s.ctl({{"cmd", "clipboard"}})["buffer"];
        return !b.is_null() && b["mime"] == "image/png";
    })) << s.ctl({{"cmd", "clipboard"}}).dump();

    ASSERT_EQ(s.key("Super+3"), "");
    ASSERT_EQ(s.key("Super+Shift+v"), "");
    std::string types;
    ASSERT_EQ(s.run({"timeout", "10", "wl-paste", "--list-types"}, {{"WAYLAND_DISPLAY", beta}}, &types), 0);
    EXPECT_EQ(types, "image/png\n");
    std::string pasted = (s.runtime_dir() / "pasted.png").string();
    ASSERT_EQ(s.run({"sh", "-c", "timeout 10 wl-paste --type image/png > " + pasted}, {{"WAYLAND_DISPLAY", beta}}), 0);
    std::string sum_after;
    ASSERT_EQ(s.run({"sha256sum", pasted}, {}, &sum_after), 0);
    EXPECT_EQ(sum_after.substr(0, 64), sum_before.substr(0, 64)) << "the PNG changed on the way";
}
