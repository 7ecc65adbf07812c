// Combo parsing and the default keybindings.
#include "keybindings.hpp"

#include "wlr.hpp"

#include <algorithm>
#include <cctype>

namespace ctop {
namespace {

struct ModifierName {
    const char* name;
    uint32_t bit;
};
constexpr ModifierName modifier_names[] = {
    {"super", WLR_MODIFIER_LOGO},  {"logo", WLR_MODIFIER_LOGO}, {"mod4", WLR_MODIFIER_LOGO},
    {"shift", WLR_MODIFIER_SHIFT}, {"ctrl", WLR_MODIFIER_CTRL}, {"control", WLR_MODIFIER_CTRL},
    {"alt", WLR_MODIFIER_ALT},     {"mod1", WLR_MODIFIER_ALT},
};

// The modifiers that take part in matching (not Caps/Num Lock).
constexpr uint32_t relevant_mods = WLR_MODIFIER_LOGO | WLR_MODIFIER_SHIFT | WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT;

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

std::optional<Combo> parse_combo(std::string_view text, std::string* error)
{
    auto fail = [&](std::string msg) -> std::optional<Combo> {
        if (error) *error = std::move(msg);
        return std::nullopt;
    };
    Combo combo;
    size_t start = 0;
    while (true) {
        size_t plus = text.find('+', start);
        // A trailing "+" is the key itself ("Ctrl++" is Ctrl and plus).
        if (plus == start && plus + 1 == text.size()) plus = std::string_view::npos;
        std::string_view part = text.substr(start, plus == std::string_view::npos ? plus : plus - start);
        if (part.empty()) return fail("empty key in combo '" + std::string(text) + "'");
        if (plus == std::string_view::npos) {
            // A single character names itself ("+", "2", "c"); longer names are keysym names.
            xkb_keysym_t sym = part.size() == 1
                                   ? xkb_utf32_to_keysym(static_cast<unsigned char>(part[0]))
                                   : xkb_keysym_from_name(std::string(part).c_str(), XKB_KEYSYM_CASE_INSENSITIVE);
            if (sym == XKB_KEY_NoSymbol)
                return fail("unknown key '" + std::string(part) + "' in combo '" + std::string(text) + "'");
            combo.keysym = xkb_keysym_to_lower(sym);
            return combo;
        }
        std::string name = lower(part);
        auto it = std::find_if(std::begin(modifier_names), std::end(modifier_names),
                               [&](const ModifierName& m) { return name == m.name; });
        if (it == std::end(modifier_names))
            return fail("unknown modifier '" + std::string(part) + "' in combo '" + std::string(text) + "'");
        combo.modifiers |= it->bit;
        start = plus + 1;
    }
}

std::string combo_to_string(const Combo& combo)
{
    std::string out;
    if (combo.modifiers & WLR_MODIFIER_LOGO) out += "Super+";
    if (combo.modifiers & WLR_MODIFIER_CTRL) out += "Ctrl+";
    if (combo.modifiers & WLR_MODIFIER_ALT) out += "Alt+";
    if (combo.modifiers & WLR_MODIFIER_SHIFT) out += "Shift+";
    char name[64];
    xkb_keysym_get_name(combo.keysym, name, sizeof name);
    return out + name;
}

Keybindings::Keybindings()
{
    const uint32_t super = WLR_MODIFIER_LOGO;
    for (int i = 1; i <= 9; ++i) bind({super, XKB_KEY_0 + static_cast<xkb_keysym_t>(i)}, Action::Workspace, i);
    bind({super, XKB_KEY_Tab}, Action::NextWorkspace);
    bind({super | WLR_MODIFIER_SHIFT, XKB_KEY_Tab}, Action::PrevWorkspace);
    bind({super, XKB_KEY_j}, Action::FocusNext);
    bind({super, XKB_KEY_q}, Action::CloseView);
    bind({super, XKB_KEY_f}, Action::ToggleMaximize);
    bind({super | WLR_MODIFIER_SHIFT, XKB_KEY_c}, Action::ClipboardExport);
    bind({super | WLR_MODIFIER_SHIFT, XKB_KEY_v}, Action::ClipboardImport);
    bind({super | WLR_MODIFIER_SHIFT, XKB_KEY_e}, Action::Quit);
    bind({super, XKB_KEY_d}, Action::Launcher);
    bind({super, XKB_KEY_Return}, Action::Terminal);
    for (int vt = 1; vt <= 12; ++vt)
        bind({WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT, static_cast<xkb_keysym_t>(XKB_KEY_F1 + vt - 1)}, Action::SwitchVt,
             vt);
}

void Keybindings::bind(Combo combo, Action action, int arg)
{
    std::erase_if(bindings_,
                  [&](const Binding& b) { return b.modifiers == combo.modifiers && b.keysym == combo.keysym; });
    bindings_.push_back({combo.modifiers, combo.keysym, action, arg});
}

void Keybindings::unbind(Action action, int arg)
{
    std::erase_if(bindings_, [&](const Binding& b) { return b.action == action && b.arg == arg; });
}

const Binding* Keybindings::match(uint32_t modifiers, const xkb_keysym_t* keysyms, int count) const
{
    modifiers &= relevant_mods;
    for (int i = 0; i < count; ++i) {
        xkb_keysym_t sym = xkb_keysym_to_lower(keysyms[i]);
        for (const Binding& b : bindings_)
            if (b.modifiers == modifiers && b.keysym == sym) return &b;
    }
    return nullptr;
}

}  // namespace ctop
