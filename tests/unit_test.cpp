// Pure logic: combo parsing, binding matching, global classification, colours.
#include "audio_ring.hpp"
#include "client_policy.hpp"
#include "keybindings.hpp"
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
