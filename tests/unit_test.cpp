// Pure logic: combo parsing, binding matching, global classification, colours.
#include "agent_protocol.hpp"
#include "notifications.hpp"
#include "audio_ring.hpp"
#include "desktop_apps.hpp"
#include "client_policy.hpp"
#include "control_server.hpp"
#include "desktop_mode.hpp"
#include "session_config.hpp"
#include "keybindings.hpp"
#include "launcher.hpp"
#include "lxc_config.hpp"
#include "templates.hpp"
#include "worker.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <fstream>
#include "policy.hpp"
#include "setup.hpp"
#include "text.hpp"
#include "workspace.hpp"
#include "wlr.hpp"

#include <gtest/gtest.h>

using namespace ctop;

TEST(Keybindings, ParsesCombosCaseInsensitively)
{
    auto c = parse_combo("Super+Shift+C");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->modifiers, uint32_t(WLR_MODIFIER_LOGO | WLR_MODIFIER_SHIFT));
    EXPECT_EQ(c->keysym, XKB_KEY_c);
    EXPECT_EQ(combo_to_string(*c), "Super+Shift+c");
    auto plus = parse_combo("Ctrl++");
    ASSERT_TRUE(plus);
    EXPECT_EQ(plus->keysym, XKB_KEY_plus);
}

TEST(Keybindings, RejectsUnknownNamesWithAMessage)
{
    std::string err;
    EXPECT_FALSE(parse_combo("Hyper+x", &err));
    EXPECT_NE(err.find("Hyper"), std::string::npos);
    EXPECT_FALSE(parse_combo("Super+nosuchkey", &err));
    EXPECT_NE(err.find("nosuchkey"), std::string::npos);
    EXPECT_FALSE(parse_combo("Super+", &err));
}

TEST(Keybindings, DefaultsSwitchWorkspacesAndIgnoreLockModifiers)
{
    Keybindings kb;
    xkb_keysym_t two = XKB_KEY_2;
    const Binding* b = kb.match(WLR_MODIFIER_LOGO | WLR_MODIFIER_CAPS | WLR_MODIFIER_MOD2, &two, 1);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->action, Action::Workspace);
    EXPECT_EQ(b->arg, 2);
    EXPECT_EQ(kb.match(0, &two, 1), nullptr);  // a plain "2" is the client's
    xkb_keysym_t tab = XKB_KEY_Tab;
    EXPECT_EQ(kb.match(WLR_MODIFIER_LOGO | WLR_MODIFIER_SHIFT, &tab, 1)->action, Action::PrevWorkspace);
}

TEST(Keybindings, SuperDOpensTheLauncherAndSuperReturnATerminal)
{
    Keybindings kb;
    xkb_keysym_t d = XKB_KEY_d, ret = XKB_KEY_Return;
    EXPECT_EQ(kb.match(WLR_MODIFIER_LOGO, &d, 1)->action, Action::Launcher);
    EXPECT_EQ(kb.match(WLR_MODIFIER_LOGO, &ret, 1)->action, Action::Terminal);
}

TEST(Launcher, HostileAppNamesBecomeOneBoundedPrintableLineEach)
{
    std::vector<LauncherEntry> entries = {
        {"alpha", "Firefox\nbeta: Terminal", {"firefox"}},
        {"alpha", std::string(500, 'A'), {"x"}},
        {"beta", "Evil\x1b[31mRed\u202ehost\r", {"x"}},
        {host_identity, "Foot", {"foot"}},
    };
    std::vector<std::string> lines = launcher_lines(entries);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], "alpha: Firefox beta: Terminal");  // one line: the rest cannot pose as beta's
    EXPECT_EQ(lines[1], "alpha: " + std::string(max_launcher_name, 'A') + "\u2026");
    EXPECT_EQ(lines[2], "beta: Evil[31mRedhost ");
    EXPECT_EQ(lines[3], "host: Foot");
    for (const auto& line : lines)
        for (char c : line) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << line;
}

TEST(Launcher, AppsNamedAlikeGetDistinctLinesAndAChoiceMapsBackOnlyByTheWholeLine)
{
    std::vector<LauncherEntry> entries = {
        {"alpha", "Foo", {"a"}}, {"alpha", "Foo", {"b"}}, {"alpha", "Foo (2)", {"c"}}};
    std::vector<std::string> lines = launcher_lines(entries);
    EXPECT_EQ(lines, (std::vector<std::string>{"alpha: Foo", "alpha: Foo (2)", "alpha: Foo (2) (2)"}));
    EXPECT_EQ(launcher_choice(lines, "alpha: Foo (2)\n"), 1);
    EXPECT_EQ(launcher_choice(lines, "alpha: Foo (2) (2)"), 2);
    EXPECT_EQ(launcher_choice(lines, "alpha: Fo"), -1);  // typed, not chosen
    EXPECT_EQ(launcher_choice(lines, ""), -1);           // dismissed
    EXPECT_EQ(launcher_choice(lines, "alpha: Foo\nalpha: Foo (2)\n"), -1);
}

TEST(ClientPolicy, EveryGlobalWeCreateIsClassified)
{
    for (const char* name : {"wl_compositor", "xdg_wm_base", "wl_seat", "wl_data_device_manager"})
        EXPECT_EQ(classify_global(name), GlobalClass::ContainerSafe) << name;
    for (const char* name :
         {"zwlr_screencopy_manager_v1", "zwlr_data_control_manager_v1", "zwp_virtual_keyboard_manager_v1",
          "zwlr_virtual_pointer_manager_v1", "zwlr_layer_shell_v1", "zwlr_output_manager_v1",
          "zwlr_gamma_control_manager_v1", "zwlr_foreign_toplevel_manager_v1", "zwp_input_method_manager_v2",
          "zwlr_export_dmabuf_manager_v1", "zwp_keyboard_shortcuts_inhibit_manager_v1"})
        EXPECT_EQ(classify_global(name), GlobalClass::Privileged) << name;
    EXPECT_EQ(classify_global("some_new_protocol_v1"), GlobalClass::Unknown);
}

TEST(Color, HexRoundTripsAndNamesGetStableColours)
{
    EXPECT_EQ(Color::from_hex("#3cb44b").hex(), "#3cb44b");
    EXPECT_THROW(Color::from_hex("3cb44b"), std::invalid_argument);
    EXPECT_THROW(Color::from_hex("#zzzzzz"), std::invalid_argument);
    EXPECT_EQ(color_for_name("work").hex(), color_for_name("work").hex());
    EXPECT_NE(color_for_name("work").hex(), "#808080");
}

TEST(Color, TwelveNewContainersNeverShareAColourAndAFreeOwnColourIsKept)
{
    // "alpha" and "beta" hash to the same colour: the second must get another.
    std::vector<std::string> taken;
    for (const char* name : {"alpha", "beta", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}) {
        std::string hex = color_avoiding(name, taken).hex();
        for (const std::string& t : taken) EXPECT_NE(hex, t) << name;
        taken.push_back(hex);
    }
    EXPECT_EQ(color_avoiding("work", {}).hex(), color_for_name("work").hex());
    std::string upper = color_for_name("work").hex();
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_NE(color_avoiding("work", {upper}).hex(), color_for_name("work").hex());
    // Once all twelve are worn, the name's own colour.
    EXPECT_EQ(color_avoiding("m", taken).hex(), color_for_name("m").hex());
}

TEST(AudioRing, PassesFramesThroughInOrder)
{
    AudioRing ring(8);
    float in[6] = {1, -1, 2, -2, 3, -3};
    ring.push_interleaved(in, 3);
    EXPECT_EQ(ring.available(), 3u);
    float out[6];
    ring.pop_interleaved(out, 3);
    EXPECT_EQ(std::vector<float>(out, out + 6), std::vector<float>(in, in + 6));
    EXPECT_EQ(ring.starved(), 0u);
}

TEST(AudioRing, RunsDryIntoSilence)
{
    AudioRing ring(8);
    float in[2] = {0.5f, 0.25f};
    ring.push_interleaved(in, 1);
    float out[6] = {9, 9, 9, 9, 9, 9};
    ring.pop_interleaved(out, 3);
    EXPECT_EQ(std::vector<float>(out, out + 6), (std::vector<float>{0.5f, 0.25f, 0, 0, 0, 0}));
    EXPECT_EQ(ring.starved(), 2u);
}

TEST(AudioRing, OverflowDropsTheOldestSoLatencyStaysBounded)
{
    AudioRing ring(4);
    float in[12] = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0};
    ring.push_interleaved(in, 6);
    EXPECT_EQ(ring.available(), 4u);
    EXPECT_EQ(ring.dropped(), 2u);
    float out[8];
    ring.pop_interleaved(out, 4);
    EXPECT_EQ(std::vector<float>(out, out + 8), (std::vector<float>{3, 0, 4, 0, 5, 0, 6, 0}));
    ring.push_interleaved(in, 2);
    ring.clear();
    EXPECT_EQ(ring.available(), 0u);
}

// --- window titles -------------------------------------------------------------

TEST(TitleSanitiser, KeepsAnOrdinaryTitleAsItIs)
{
    EXPECT_EQ(sanitize_title("Mozilla Firefox — Über uns · 漢字 😀"), "Mozilla Firefox — Über uns · 漢字 😀");
    EXPECT_EQ(sanitize_title(""), "");
}

TEST(TitleSanitiser, ATerminalEscapeSequenceLosesItsEscape)
{
    // Line erase, an OSC 52 clipboard write (ended by BEL), concealed text.
    std::string t = sanitize_title("a\x1b[2Kb\x1b]52;c;aGk=\x07"
                                   "c\x1b[8mhidden\xc2\x9b"
                                   "1m");
    EXPECT_EQ(t.find('\x1b'), std::string::npos);
    EXPECT_EQ(t.find('\x07'), std::string::npos);
    EXPECT_EQ(t.find("\xc2\x9b"), std::string::npos);  // C1 CSI, UTF-8 encoded
    EXPECT_EQ(t, "a[2Kb]52;c;aGk=c[8mhidden1m");
}

TEST(TitleSanitiser, LineBreaksAndTabsBecomeSpaces)
{
    EXPECT_EQ(sanitize_title("one\ntwo\r\tthree\u2028four"), "one two  three four");
}

TEST(TitleSanitiser, ACarriageReturnLineFeedIsOneSpace)
{
    EXPECT_EQ(sanitize_title("one\r\ntwo\rthree"), "one two three");
}

TEST(TitleSanitiser, ABoundedFieldIsNeverCutInsideACharacter)
{
    EXPECT_EQ(ctop::cut_utf8("ab\u00e9", 3), "ab");
    EXPECT_EQ(ctop::cut_utf8("ab\u00e9", 4), "ab\u00e9");
    EXPECT_EQ(ctop::cut_utf8("\U0001F600", 3), "");
}

TEST(TitleSanitiser, InvalidUtf8BecomesReplacementCharacters)
{
    EXPECT_EQ(sanitize_title("ok\xff\xfe!"), "ok\uFFFD\uFFFD!");
    EXPECT_EQ(sanitize_title("\xc0\xaf"), "\uFFFD\uFFFD");                      // overlong '/'
    EXPECT_EQ(sanitize_title("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");            // a UTF-16 surrogate
    EXPECT_EQ(sanitize_title("\xf4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // above U+10FFFF
    EXPECT_EQ(sanitize_title("cut \xe2\x82"), "cut \uFFFD\uFFFD");              // truncated sequence
}

TEST(TitleSanitiser, BidiOverridesAndIsolatesAreRemoved)
{
    // "work" reversed into view by a right-to-left override would read as a name.
    EXPECT_EQ(sanitize_title("\u202Ekrow\u202C | x"), "krow | x");
    EXPECT_EQ(sanitize_title("a\u2066b\u2067c\u2068d\u2069e\u200Ef\u200Fg\u061Ch"), "abcdefgh");
}

TEST(TitleSanitiser, ZeroWidthAndInvisibleCharactersAreRemoved)
{
    EXPECT_EQ(sanitize_title("w\u200Bo\u200Cr\u200Dk\u2060\uFEFF\u00AD!\U000E0041"), "work!");
}

TEST(TitleSanitiser, LongTitlesAreCappedInCodePoints)
{
    std::string long_title;
    for (int i = 0; i < 1000; ++i) long_title += "漢";
    std::string t = sanitize_title(long_title);
    std::string expected;
    for (size_t i = 0; i < max_title_code_points; ++i) expected += "漢";
    EXPECT_EQ(t, expected + "…");
    EXPECT_EQ(sanitize_title("abcdef", 3), "abc…");
    EXPECT_EQ(sanitize_title("abc", 3), "abc");
}

// --- control requests: every field a handler reads has a type -------------------------

TEST(RequestSchema, AWrongTypeIsNamedWithWhatWasExpected)
{
    using nlohmann::json;
    EXPECT_EQ(check_request_fields({{"cmd", "audio"}, {"name", "x"}, {"mute", "yes"}}),
              "audio: field 'mute': expected true or false, got string");
    EXPECT_EQ(check_request_fields({{"cmd", "stop"}, {"name", 5}}),
              "stop: field 'name': expected a string, got number");
    EXPECT_EQ(check_request_fields({{"cmd", "spawn"}}), "spawn: field 'name' is missing");
    EXPECT_EQ(check_request_fields({{"cmd", nullptr}}), "field 'cmd': expected a string (the command name)");
    EXPECT_NE(check_request_fields({{"cmd", "spawn"}, {"name", "a"}, {"argv", {"ls", 1}}}), "");
    EXPECT_NE(check_request_fields({{"cmd", "workspace"}, {"slot", 1ll << 40}}), "");
    EXPECT_NE(check_request_fields({{"cmd", "workspace"}, {"slot", 2.5}}), "");
}

TEST(RequestSchema, RightTypesAndUnlistedFieldsPass)
{
    EXPECT_EQ(check_request_fields({{"cmd", "audio"}, {"name", "x"}, {"volume", 0.5}, {"mute", false}}), "");
    EXPECT_EQ(check_request_fields({{"cmd", "spawn"}, {"name", "a"}, {"argv", {"ls", "-l"}}, {"future", 1}}), "");
    EXPECT_EQ(check_request_fields({{"cmd", "workspace"}, {"slot", 2}}), "");
    EXPECT_EQ(check_request_fields({{"cmd", "pointer"}, {"action", 3}}), "");  // checks its own fields
}

// --- policies: what create writes, spawn can load ----------------------------------------

TEST(PolicySizes, SignsSpacesAndOverflowAreNotSizes)
{
    EXPECT_EQ(parse_size("512M"), 512ull << 20);
    EXPECT_EQ(parse_size("2T"), 2ull << 40);
    EXPECT_EQ(parse_size("-1G"), std::nullopt);
    EXPECT_EQ(parse_size(" 1G"), std::nullopt);
    EXPECT_EQ(parse_size("1 G"), std::nullopt);
    EXPECT_EQ(parse_size("99999999999999999999"), std::nullopt);
    EXPECT_EQ(parse_size("17179869184G"), std::nullopt);  // 2^64 bytes
}

TEST(PolicySizes, UsersWriteSizesInEitherCaseAndWithFractions)
{
    EXPECT_EQ(parse_size("4G"), 4ull << 30);
    EXPECT_EQ(parse_size("4g"), 4ull << 30);
    EXPECT_EQ(parse_size("4GiB"), 4ull << 30);
    EXPECT_EQ(parse_size("1.5G"), 3ull << 29);
    EXPECT_EQ(parse_size("0.5m"), 512ull << 10);
    EXPECT_EQ(parse_size("512M"), 512ull << 20);
    EXPECT_EQ(parse_size("1.5"), std::nullopt);  // no half bytes
    EXPECT_EQ(parse_size("1.G"), std::nullopt);
    EXPECT_EQ(parse_size(".5G"), std::nullopt);
    EXPECT_EQ(parse_size("1.5.5G"), std::nullopt);
    EXPECT_EQ(parse_size("4X"), std::nullopt);
    EXPECT_EQ(size_text(3ull << 29), "1536M");
    EXPECT_EQ(size_text(4ull << 30), "4G");
}

TEST(PolicySet, EveryKeyTakesBackWhatGetPrints)
{
    ContainerPolicy p;
    p.name = "c";
    apply_default_limits(p);
    p.shares.push_back({"/srv/data", "/data", false});
    p.color = "#336699";
    p.gpu = true;
    p.usb = {"046d:0825", "1d6b:0002"};
    p.devices = {"/dev/ttyUSB0"};
    p.desktop = "dbus-run-session sh -c 'xfwm4 & exec xfce4-panel'";
    for (const auto& key : policy_keys()) {
        if (key == "template") continue;  // fixed at create
        ContainerPolicy q = p;
        std::string value = policy_value(p, key);
        ASSERT_NO_THROW(set_policy_value(q, key, value)) << key << " = " << value;
        EXPECT_EQ(q.to_toml(), p.to_toml()) << key;
    }
}

TEST(PolicySet, OutOfRangeAndMalformedValuesAreRefusedNamingTheKey)
{
    ContainerPolicy p;
    auto refused = [&](const std::string& key, const std::string& value) {
        ContainerPolicy before = p;
        try {
            set_policy_value(p, key, value);
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(p.to_toml(), before.to_toml()) << "a refused value changed the policy";
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_EQ(refused("memory", "0").rfind("memory: ", 0), 0u);
    EXPECT_NE(refused("memory", "-1G"), "accepted");
    EXPECT_NE(refused("memory", "1K"), "accepted");
    EXPECT_NE(refused("memory", "32M"), "accepted");  // below the 64M floor
    EXPECT_NE(refused("pids", "0"), "accepted");
    EXPECT_LT(refused("pids", "0").size(), 80u);  // not a 300-digit range
    EXPECT_NE(refused("pids", "-3"), "accepted");
    EXPECT_NE(refused("cpu_weight", "0"), "accepted");
    EXPECT_NE(refused("color", "red"), "accepted");
    EXPECT_NE(refused("network", "wifi"), "accepted");
    EXPECT_NE(refused("mic", "maybe"), "accepted");
    EXPECT_NE(refused("template", "debian"), "accepted");
    EXPECT_NE(refused("share", "relative:/x"), "accepted");
    EXPECT_NE(refused("extra_globals", "Bad Name"), "accepted");
    EXPECT_NE(refused("nonsense", "1").find("unknown key"), std::string::npos);
    EXPECT_NE(refused("usb", "logitech"), "accepted");
    EXPECT_NE(refused("devices", "/etc/shadow"), "accepted");
    EXPECT_NE(refused("devices", "/dev/../etc/shadow"), "accepted");
    EXPECT_EQ(refused("devices", "/dev/ttyUSB0,/dev/snd/pcmC0D0p"), "accepted");
    EXPECT_EQ(refused("desktop", "xfwm4\nrm -rf ~").rfind("desktop: ", 0), 0u);
    EXPECT_NE(refused("desktop", std::string(2000, 'x')), "accepted");
    EXPECT_EQ(refused("desktop", "startxfce4"), "accepted");
    EXPECT_EQ(refused("memory", "1.5g"), "accepted");
    EXPECT_EQ(p.memory_bytes, 3ull << 29);
    EXPECT_EQ(refused("memory", "none"), "accepted");
    EXPECT_FALSE(p.memory_bytes);
    EXPECT_EQ(refused("clipboard.mime", "image/png, text/plain"), "accepted");
    EXPECT_EQ(p.clipboard_mime, (std::vector<std::string>{"image/png", "text/plain"}));
}

TEST(DeviceGrants, OnlyWhatThePolicyNamesIsFoundAndTheKmsCardNever)
{
    if (geteuid() != 0) GTEST_SKIP() << "mknod needs root";
    char tmpl[] = "/tmp/ctop-devices-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    const std::filesystem::path dev = std::string(tmpl) + "/dev", sys = std::string(tmpl) + "/sys";
    for (auto d : {"dri", "bus/usb/001"}) std::filesystem::create_directories(dev / d);
    std::filesystem::create_directories(sys / "bus/usb/devices/1-1");
    for (auto [node, minor] : {std::pair{"dri/renderD128", 7}, {"dri/card0", 7}, {"video0", 7}, {"bus/usb/001/004", 5}})
        ASSERT_EQ(mknod((dev / node).c_str(), S_IFCHR | 0600, makedev(1, minor)), 0) << node;
    for (auto [file, value] : {std::pair{"idVendor", "046d"}, {"idProduct", "0825"}, {"busnum", "1"}, {"devnum", "4"}})
        std::ofstream(sys / "bus/usb/devices/1-1" / file) << value << "\n";
    auto names = [&](const nlohmann::json& grants) {
        std::string out;
        for (const auto& d : granted_devices(grants, dev, sys)) out += d.inside + "=" + d.rule + ";";
        return out;
    };
    EXPECT_EQ(names(nlohmann::json::object()), "");
    EXPECT_EQ(names({{"gpu", true}}), "/dev/dri/renderD128=c 1:7 rwm;");
    EXPECT_EQ(names({{"camera", true}}), "/dev/video0=c 1:7 rwm;");
    EXPECT_EQ(names({{"usb", {"046D:0825"}}}), "/dev/bus/usb/001/004=c 1:5 rwm;");
    EXPECT_EQ(names({{"usb", {"046d:0826"}}}), "");  // not plugged in
    EXPECT_EQ(names({{"paths", {"/dev/video0"}}}), "/dev/video0=c 1:7 rwm;");
    EXPECT_THROW(names({{"paths", {"/dev/nothing"}}}), std::runtime_error);
    std::filesystem::remove_all(tmpl);
}

TEST(DebianTemplate, TheHostsAptMirrorsAndSecuritySuiteAreTheContainers)
{
    using ctop::containers::host_apt_mirrors;
    char tmpl[] = "/tmp/ctop-apt-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    const std::filesystem::path apt = tmpl;
    std::filesystem::create_directories(apt / "sources.list.d");
    // Nothing configured: deb.debian.org.
    EXPECT_EQ(host_apt_mirrors(apt).debian, "http://deb.debian.org/debian");
    // deb822, the first paragraph disabled, a deb-src one ignored.
    std::ofstream(apt / "sources.list.d/debian.sources")
        << "Types: deb\nURIs: http://disabled.example/debian\nSuites: bookworm\nEnabled: no\n\n"
           "Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n\n"
           "Types: deb\n# a comment\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\n"
           "Components: main\n\nTypes: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\n";
    auto m = host_apt_mirrors(apt);
    EXPECT_EQ(m.debian, "http://mirror.example/debian");
    EXPECT_EQ(m.security, "http://security.example/debian-security");
    // The one-line form in sources.list comes first; cdrom: and file: are not mirrors.
    std::ofstream(apt / "sources.list")
        << "deb cdrom:[Debian]/ bookworm main\n"
           "deb [arch=amd64 signed-by=/k.gpg] https://one.example/debian bookworm main\n";
    m = host_apt_mirrors(apt);
    EXPECT_EQ(m.debian, "https://one.example/debian");
    EXPECT_EQ(m.security, "http://security.example/debian-security");
    std::filesystem::remove_all(tmpl);
}

TEST(LxcConfigLimits, AnOldConfigsLooseLimitLinesBecomeOneBlockThatSpawnRewrites)
{
    using namespace ctop::containers;
    const std::string old =
        "lxc.uts.name = c\nlxc.cgroup.memory.limit_in_bytes = 1000\nlxc.cgroup.pids.max = 50\n"
        "lxc.cgroup.devices.allow = c 1:3 rwm\n# ctopbroker network begin (x)\nlxc.net.0.type = empty\n";
    std::string once = replace_limits_block(old, CgroupLayout::V1, {512ull << 20, 100, std::nullopt, {}});
    EXPECT_EQ(once.find("= 1000"), std::string::npos);
    EXPECT_EQ(once.find("= 50\n"), std::string::npos);
    EXPECT_NE(once.find("lxc.cgroup.memory.limit_in_bytes = 536870912\n"), std::string::npos);
    EXPECT_NE(once.find("lxc.cgroup.pids.max = 100\n"), std::string::npos);
    EXPECT_EQ(once.find("c 1:3 rwm"), std::string::npos);  // device grants are the policy's too
    std::string twice = replace_limits_block(once, CgroupLayout::V1, {std::nullopt, 7, std::nullopt, {"c 240:7 rwm"}});
    EXPECT_NE(twice.find("lxc.cgroup.devices.allow = c 240:7 rwm\n"), std::string::npos);
    EXPECT_EQ(twice.find("memory.limit_in_bytes"), std::string::npos);
    EXPECT_NE(twice.find("lxc.cgroup.pids.max = 7\n"), std::string::npos);
    EXPECT_EQ(replace_limits_block(twice, CgroupLayout::V1, {std::nullopt, 7, std::nullopt, {"c 240:7 rwm"}}), twice);
    EXPECT_NE(replace_limits_block(twice, CgroupLayout::V2, {1ull << 30, std::nullopt, 100, {}})
                  .find("lxc.cgroup2.memory.max = 1073741824\n"),
              std::string::npos);
}

TEST(PolicyCheck, NamesTheFirstValueOutOfRange)
{
    ContainerPolicy p;
    EXPECT_FALSE(p.check());
    p.memory_bytes = 0;
    ASSERT_TRUE(p.check());
    EXPECT_EQ(p.check()->key, "memory");
    p.memory_bytes = 1ull << 30;
    p.color = "red";
    ASSERT_TRUE(p.check());
    EXPECT_EQ(p.check()->key, "color");
    p.color = "#336699";
    p.pids = 1;
    ASSERT_TRUE(p.check());
    EXPECT_EQ(p.check()->key, "pids");
}

TEST(AgentReplies, TheSessionTakesWhatTheAgentWritesAndRefusesWhatItMustNot)
{
    auto spawned = ctop::parse_agent_message(ctop::agent_spawned_line(4, 321), nullptr);
    ASSERT_TRUE(spawned);
    EXPECT_EQ(spawned->id, 4u);
    EXPECT_EQ(spawned->pid, 321);
    auto exited = ctop::parse_agent_message(ctop::agent_exited_line(321, 3 << 8), nullptr);
    ASSERT_TRUE(exited);
    EXPECT_EQ(exited->kind, ctop::AgentMessage::Kind::exited);
    EXPECT_EQ(exited->status, 3 << 8);
    std::string problem;
    for (const char* bad : {R"({"id":1,"ok":true,"pid":-5})", R"({"id":1,"ok":true,"pid":99999999})",
                            R"({"id":0,"ok":true})", R"({"id":1,"ok":"yes"})", R"({"id":1,"ok":false})",
                            R"({"event":"exited","pid":3,"status":70000})", R"({"event":"reboot","pid":3})",
                            R"({"id":1,"ok":true,"apps":[{"id":"a","name":"","exec":"a"}]})", "[1]", "{"}) {
        problem.clear();
        EXPECT_FALSE(ctop::parse_agent_message(bad, &problem)) << bad;
        EXPECT_FALSE(problem.empty()) << bad;
    }
    std::string long_error = R"({"id":1,"ok":false,"error":")" + std::string(ctop::max_agent_error + 1, 'x') + "\"}";
    EXPECT_FALSE(ctop::parse_agent_message(long_error, &problem));
    auto escaped = ctop::parse_agent_message(R"({"id":2,"ok":false,"error":"a\u001b[31mb"})", nullptr);
    ASSERT_TRUE(escaped);
    EXPECT_EQ(escaped->error, "a?[31mb");
}

TEST(DesktopEntries, AVisibleApplicationIsListedWithoutFieldCodes)
{
    auto app = ctop::parse_desktop_entry("[Desktop Entry]\nType=Application\nName=Fire Fox\nName[de]=Feuer\n"
                                         "Exec=firefox-esr --new %u\nIcon=firefox\n[Desktop Action new]\nName=Other\n",
                                         "firefox");
    ASSERT_TRUE(app);
    EXPECT_EQ(app->name, "Fire Fox");
    EXPECT_EQ(app->exec, "firefox-esr --new");
    EXPECT_EQ(app->icon, "firefox");
    EXPECT_FALSE(ctop::parse_desktop_entry("[Desktop Entry]\nType=Application\nName=A\nExec=a\nNoDisplay=true\n", "a"));
    EXPECT_FALSE(ctop::parse_desktop_entry("[Desktop Entry]\nType=Link\nName=A\nExec=a\n", "a"));
    EXPECT_FALSE(ctop::parse_desktop_entry("[Desktop Entry]\nType=Application\nName=A\n", "a"));
    std::string huge = "[Desktop Entry]\nType=Application\nName=A\nExec=" + std::string(5000, 'a') + "\n";
    EXPECT_FALSE(ctop::parse_desktop_entry(huge, "a")) << "a cut command would run something else";
}

TEST(DesktopEntries, ExecQuotingFollowsTheSpec)
{
    EXPECT_EQ(ctop::desktop_exec_argv(R"(sh -c "echo \"hi\" there"  x)"),
              (std::vector<std::string>{"sh", "-c", "echo \"hi\" there", "x"}));
    EXPECT_TRUE(ctop::desktop_exec_argv(R"(sh "unterminated)").empty());
}

TEST(SetupRecord, BootRedoesEachRecordedUserOnceAndSkipsWhatIsNotAUserName)
{
    const std::string record = "# Users `ctopbroker setup` ran for\n"
                               "root\n"
                               "\n"
                               "alice\n"
                               "alice\n"      // recorded twice: set up once
                               "-rf\n"        // would be an option to a tool
                               "bob smith\n"  // not one name
                               "../etc\n"
                               "Mallory\n"  // useradd refuses capitals by default
                               "ctop_test-2.x\n";
    EXPECT_EQ(ctop::recorded_users(record), (std::vector<std::string>{"root", "alice", "ctop_test-2.x"}));
    EXPECT_TRUE(ctop::recorded_users("").empty());
    EXPECT_EQ(ctop::setup_record(), "/var/lib/ctopbroker/setup-users");
}

TEST(Notifications, AContainersNotificationTextIsPlainPrintableAndCapped)
{
    using ctop::sanitize_notification_text;
    // A body's markup goes, its entities are decoded; a summary's '<' stays (it is plain text).
    EXPECT_EQ(sanitize_notification_text("<b>bold</b> &amp; <a href='x'>link</a> &lt;3", 100, true, true),
              "bold & link <3");
    EXPECT_EQ(sanitize_notification_text("a < b", 100, false, false), "a < b");
    // Escapes, bidi overrides, zero-width and C1 characters, and an entity made into one, go.
    EXPECT_EQ(sanitize_notification_text("x\x1b[31mred\x07\xe2\x80\xae"
                                         "evil\xe2\x80\x8b\xc2\x9b&#27;z",
                                         100, false, true),
              "x[31mredevilz");
    // Invalid UTF-8 is replaced; newlines only in a body, at most two in a row.
    EXPECT_EQ(sanitize_notification_text("\xff\xc0\x80ok", 100, false, false),
              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdok");
    EXPECT_EQ(sanitize_notification_text("a\n\n\n\nb\r\nc\td", 100, true, true), "a\n\nb\nc d");
    EXPECT_EQ(sanitize_notification_text("a\nb", 100, false, false), "a b");
    // Cut at a character boundary, with an ellipsis, never longer than asked.
    std::string cut = sanitize_notification_text(std::string(10, 'x') + "\xc3\xa9\xc3\xa9\xc3\xa9", 14, false, false);
    EXPECT_LE(cut.size(), 14u);
    EXPECT_EQ(cut, "xxxxxxxxxx\xe2\x80\xa6");
    EXPECT_EQ(ctop::escape_markup("<i>&"), "&lt;i&gt;&amp;");
}

TEST(Notifications, ANotificationHidesWhatATitleHides)
{
    // One sanitiser: a soft hyphen, a Hangul filler or a tag character is as
    // invisible in a notification as on a window's label.
    std::string sneaky = "pay\u00AD\u3164\U000E0041pal";
    EXPECT_EQ(ctop::sanitize_notification_text(sneaky, 100, false, false), "paypal");
    EXPECT_EQ(sanitize_title(sneaky), "paypal");
}

TEST(Notifications, ATokenBucketLetsABurstThroughThenOneASecond)
{
    ctop::TokenBucket bucket(3, 1);
    int passed = 0;
    for (int i = 0; i < 100; ++i) passed += bucket.take(1000);
    EXPECT_EQ(passed, 3);
    EXPECT_FALSE(bucket.take(1500));
    EXPECT_TRUE(bucket.take(2000));
    EXPECT_FALSE(bucket.take(2001));
    EXPECT_TRUE(bucket.take(60000));  // refilled, but only to the burst
    EXPECT_TRUE(bucket.take(60000));
    EXPECT_TRUE(bucket.take(60000));
    EXPECT_FALSE(bucket.take(60000));
}

TEST(AgentReplies, ANotificationsActionsAreBoundedTheirKeysCheckedAndTheirLabelsMadePlain)
{
    EXPECT_TRUE(ctop::valid_action_key("default"));
    EXPECT_TRUE(ctop::valid_action_key("app.open('r\xc3\xa9sum\xc3\xa9.txt')"));
    for (std::string bad : {std::string(), std::string(ctop::max_action_key + 1, 'k'), std::string("a\x1b[31m"),
                            std::string("a\nb"), std::string("\xff\xfe"), std::string("rtl\xe2\x80\xae")})
        EXPECT_FALSE(ctop::valid_action_key(bad)) << bad;

    ctop::ContainerNotification n;
    n.id = 3;
    n.actions = {{"default", "Open\x1b[31m"}, {"no", "No " + std::string(200, 't')}};
    auto msg = ctop::parse_agent_message(ctop::agent_notify_line(n), nullptr);
    ASSERT_TRUE(msg);
    ASSERT_EQ(msg->notification.actions.size(), 2u);
    EXPECT_EQ(msg->notification.actions[0].key, "default");
    EXPECT_EQ(msg->notification.actions[0].label, "Open[31m");
    EXPECT_EQ(msg->notification.actions[1].key, "no");
    EXPECT_LE(msg->notification.actions[1].label.size(), ctop::shown_action_label);
    std::string problem;
    for (std::string bad :
         {std::string(R"({"event":"notify","id":1,"actions":"default"})"),
          std::string(R"({"event":"notify","id":1,"actions":[["a"]]})"),
          std::string(R"({"event":"notify","id":1,"actions":[["a","A"],["a","B"]]})"),
          std::string(R"({"event":"notify","id":1,"actions":[["","A"]]})"),
          std::string(R"({"event":"notify","id":1,"actions":[["a\u0007","A"]]})"),
          std::string(R"({"event":"notify","id":1,"actions":[["a","A"],["b","B"],["c","C"],["d","D"],["e","E"]]})"),
          R"({"event":"notify","id":1,"actions":[["a",")" + std::string(ctop::max_action_label + 1, 'x') + "\"]]}"}) {
        problem.clear();
        EXPECT_FALSE(ctop::parse_agent_message(bad, &problem)) << bad.substr(0, 80);
        EXPECT_FALSE(problem.empty());
    }
}

TEST(AgentReplies, ANotificationLineIsCheckedAndItsTextSanitised)
{
    ctop::ContainerNotification n;
    n.id = 7;
    n.app = "Editor\x1b]0;x";
    n.summary = "Saved <file>";
    n.body = "<u>done</u>\x07" + std::string(5000, 'y');
    n.urgency = 2;
    auto msg = ctop::parse_agent_message(ctop::agent_notify_line(n), nullptr);
    ASSERT_TRUE(msg);
    EXPECT_EQ(msg->kind, ctop::AgentMessage::Kind::notify);
    EXPECT_EQ(msg->notification.id, 7u);
    EXPECT_EQ(msg->notification.app, "Editor]0;x");
    EXPECT_EQ(msg->notification.summary, "Saved <file>");
    EXPECT_EQ(msg->notification.body.rfind("doneyyy", 0), 0u);
    EXPECT_LE(msg->notification.body.size(), ctop::shown_notify_body);
    EXPECT_EQ(msg->notification.urgency, 2);
    EXPECT_EQ(msg->notification.expire_ms, -1);
    auto closed = ctop::parse_agent_message(ctop::agent_close_line(7), nullptr);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->kind, ctop::AgentMessage::Kind::close);
    std::string problem;
    for (std::string bad :
         {std::string(R"({"event":"notify","id":0})"), std::string(R"({"event":"notify","id":1,"urgency":3})"),
          std::string(R"({"event":"notify","id":1,"summary":5})"), std::string(R"({"event":"notify","id":4294967296})"),
          R"({"event":"notify","id":1,"body":")" + std::string(ctop::max_notify_body + 1, 'x') + "\"}"}) {
        problem.clear();
        EXPECT_FALSE(ctop::parse_agent_message(bad, &problem)) << bad.substr(0, 80);
        EXPECT_FALSE(problem.empty());
    }
}

TEST(DesktopMode, TheCommandIsAnArgumentOfTheScriptNeverPartOfIt)
{
    std::string command = "xfwm4 & exec xfce4-panel; echo '$(x)' \"$1\"";
    auto argv = desktop_argv(command);
    ASSERT_EQ(argv.size(), 5u);
    EXPECT_EQ(argv[0], "/bin/sh");
    EXPECT_EQ(argv[1], "-c");
    EXPECT_EQ(argv[2].find("xfce4-panel"), std::string::npos);
    EXPECT_NE(argv[2].find("Xephyr"), std::string::npos);
    EXPECT_EQ(argv[4], command);
}

TEST(DesktopMode, APolicyWithoutDesktopX11OrFullscreenSaysWhichSetFixesIt)
{
    ContainerPolicy p;
    p.name = "work";
    EXPECT_NE(desktop_problem(p).value_or("").find("ctopbroker set work desktop="), std::string::npos);
    p.desktop = "startxfce4";
    EXPECT_FALSE(desktop_problem(p));
    p.x11 = false;
    EXPECT_NE(desktop_problem(p).value_or("").find("x11=true"), std::string::npos);
    p.x11 = true;
    p.fullscreen = false;
    EXPECT_NE(desktop_problem(p).value_or("").find("fullscreen=true"), std::string::npos);
}

TEST(Autostart, EntriesNameAContainerAndACommandOrItsDesktop)
{
    auto e = AutostartEntry::parse("work:firefox-esr  --new-window https://example.org");
    EXPECT_EQ(e.container, "work");
    EXPECT_EQ(e.argv, (std::vector<std::string>{"firefox-esr", "--new-window", "https://example.org"}));
    EXPECT_TRUE(AutostartEntry::parse("office:--desktop").desktop());
    auto refused = [](const std::string& text) {
        try {
            AutostartEntry::parse(text);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(refused("firefox-esr").find("CONTAINER:COMMAND"), std::string::npos);
    EXPECT_NE(refused("work:").find("no command"), std::string::npos);
    EXPECT_NE(refused("work:   ").find("no command"), std::string::npos);
    EXPECT_NE(refused("host:foot").find("not a container name"), std::string::npos);
    EXPECT_NE(refused("../x:foot").find("not a container name"), std::string::npos);
    EXPECT_NE(refused("work:foot\nrm"), "accepted");
    EXPECT_NE(refused("work:--desktop foot"), "accepted");
    EXPECT_NE(refused("work:" + std::string(5000, 'a')), "accepted");
}

TEST(Autostart, ABadEntryStopsTheSessionNamingConfigTomlItsLineAndTheEntry)
{
    char dir[] = "/tmp/ctop-unit-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir));
    std::filesystem::path file = std::filesystem::path(dir) / "config.toml";
    std::ofstream(file) << "autostart = [\n  \"work:foot\",\n  \"chat:--desktop\",\n]\n";
    SessionConfig ok = SessionConfig::load(file);
    ASSERT_EQ(ok.autostart.size(), 2u);
    EXPECT_EQ(ok.autostart[0].argv, std::vector<std::string>{"foot"});
    EXPECT_TRUE(ok.autostart[1].desktop());
    std::ofstream(file) << "autostart = [\n  \"work:foot\",\n  \"firefox-esr\",\n]\n";
    try {
        SessionConfig::load(file);
        ADD_FAILURE() << "a bad entry was accepted";
    } catch (const std::runtime_error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find(file.string() + ":3: autostart: \"firefox-esr\""), std::string::npos) << what;
    }
    std::ofstream(file) << "autostart = \"work:foot\"\n";
    EXPECT_THROW(SessionConfig::load(file), std::runtime_error);
    std::ofstream(file) << "autostart = [1]\n";
    EXPECT_THROW(SessionConfig::load(file), std::runtime_error);
    std::filesystem::remove_all(dir);
}
