// Pure logic: combo parsing, binding matching, global classification, colours.
#include "audio_ring.hpp"
#include "client_policy.hpp"
#include "control_server.hpp"
#include "keybindings.hpp"
#include "policy.hpp"
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

TEST(ClientPolicy, EveryGlobalWeCreateIsClassified)
{
    for (const char* name : {"wl_compositor", "xdg_wm_base", "wl_seat", "wl_data_device_manager"})
        EXPECT_EQ(classify_global(name), GlobalClass::ContainerSafe) << name;
    for (const char* name : {"zwlr_screencopy_manager_v1", "zwlr_data_control_manager_v1",
                             "zwp_virtual_keyboard_manager_v1", "zwlr_virtual_pointer_manager_v1",
                             "zwlr_layer_shell_v1", "zwlr_output_manager_v1", "zwlr_gamma_control_manager_v1",
                             "zwlr_foreign_toplevel_manager_v1", "zwp_input_method_manager_v2",
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
    std::string t = sanitize_title("a\x1b[2Kb\x1b]52;c;aGk=\x07" "c\x1b[8mhidden\xc2\x9b" "1m");
    EXPECT_EQ(t.find('\x1b'), std::string::npos);
    EXPECT_EQ(t.find('\x07'), std::string::npos);
    EXPECT_EQ(t.find("\xc2\x9b"), std::string::npos);  // C1 CSI, UTF-8 encoded
    EXPECT_EQ(t, "a[2Kb]52;c;aGk=c[8mhidden1m");
}

TEST(TitleSanitiser, LineBreaksAndTabsBecomeSpaces)
{
    EXPECT_EQ(sanitize_title("one\ntwo\r\tthree\u2028four"), "one two  three four");
}

TEST(TitleSanitiser, InvalidUtf8BecomesReplacementCharacters)
{
    EXPECT_EQ(sanitize_title("ok\xff\xfe!"), "ok\uFFFD\uFFFD!");
    EXPECT_EQ(sanitize_title("\xc0\xaf"), "\uFFFD\uFFFD");          // overlong '/'
    EXPECT_EQ(sanitize_title("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");  // a UTF-16 surrogate
    EXPECT_EQ(sanitize_title("\xf4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // above U+10FFFF
    EXPECT_EQ(sanitize_title("cut \xe2\x82"), "cut \uFFFD\uFFFD");   // truncated sequence
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
    EXPECT_EQ(check_request_fields({{"cmd", "stop"}, {"name", 5}}), "stop: field 'name': expected a string, got number");
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
