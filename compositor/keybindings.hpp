// Keybindings: compositor shortcuts, matched before any client sees a key.
// Parsing and matching are pure logic; the seat feeds them keys.
#pragma once

#include "action.hpp"

#include <xkbcommon/xkbcommon.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctop {

struct Binding {
    uint32_t modifiers = 0;                  // WLR_MODIFIER_* bits
    xkb_keysym_t keysym = XKB_KEY_NoSymbol;  // lower-case, unshifted
    Action action = Action::Quit;
    int arg = 0;
};

struct Combo {
    uint32_t modifiers = 0;
    xkb_keysym_t keysym = XKB_KEY_NoSymbol;
};

// "Super+Shift+c" → modifiers and keysym; nullopt with a message in `error`.
std::optional<Combo> parse_combo(std::string_view text, std::string* error = nullptr);
std::string combo_to_string(const Combo& combo);

class Keybindings {
public:
    Keybindings();  // the defaults listed in README.md
    // Returns the binding that `modifiers` + any of `keysyms` triggers.
    const Binding* match(uint32_t modifiers, const xkb_keysym_t* keysyms, int count) const;
    void bind(Combo combo, Action action, int arg = 0);
    void unbind(Action action, int arg = 0);  // drops the default combo of an action
    const std::vector<Binding>& all() const { return bindings_; }

private:
    std::vector<Binding> bindings_;
};

}  // namespace ctop
