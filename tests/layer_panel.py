#!/usr/bin/env python3
# A real layer-shell client for the tests (GTK 3 with gtk-layer-shell): a
# strip of one colour on an edge of the output, in the layer asked for, with
# or without an exclusive zone and the keyboard. It writes what it receives to
# --out, one line each: "mapped WIDTHxHEIGHT", "key NAME", "menu LABEL"
# (a click opens a menu, an xdg_popup of the layer surface).
import argparse
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("GtkLayerShell", "0.1")
from gi.repository import Gtk, GtkLayerShell  # noqa: E402

LAYERS = {
    "background": GtkLayerShell.Layer.BACKGROUND,
    "bottom": GtkLayerShell.Layer.BOTTOM,
    "top": GtkLayerShell.Layer.TOP,
    "overlay": GtkLayerShell.Layer.OVERLAY,
}
EDGES = {
    "top": GtkLayerShell.Edge.TOP,
    "bottom": GtkLayerShell.Edge.BOTTOM,
    "left": GtkLayerShell.Edge.LEFT,
    "right": GtkLayerShell.Edge.RIGHT,
}
ACROSS = {"top": ("left", "right"), "bottom": ("left", "right"), "left": ("top", "bottom"), "right": ("top", "bottom")}
KEYBOARD = {
    "none": GtkLayerShell.KeyboardMode.NONE,
    "exclusive": GtkLayerShell.KeyboardMode.EXCLUSIVE,
    "on_demand": GtkLayerShell.KeyboardMode.ON_DEMAND,
}

args = argparse.ArgumentParser()
args.add_argument("--layer", default="top", choices=LAYERS)
args.add_argument("--edge", default="top", choices=[*EDGES, "none"])
args.add_argument("--size", type=int, default=40)
args.add_argument("--exclusive", action="store_true")
args.add_argument("--keyboard", default="none", choices=KEYBOARD)
args.add_argument("--color", default="#00c000")
args.add_argument("--out", default="")
a = args.parse_args()


def report(line):
    if a.out:
        with open(a.out, "a") as f:
            f.write(line + "\n")
    print(line, flush=True)


win = Gtk.Window()
GtkLayerShell.init_for_window(win)
GtkLayerShell.set_namespace(win, "ctop-test-panel")
GtkLayerShell.set_layer(win, LAYERS[a.layer])
GtkLayerShell.set_keyboard_mode(win, KEYBOARD[a.keyboard])
if a.edge == "none":
    win.set_size_request(a.size * 4, a.size)
else:
    for edge in (a.edge, *ACROSS[a.edge]):
        GtkLayerShell.set_anchor(win, EDGES[edge], True)
    win.set_size_request(-1, a.size) if a.edge in ("top", "bottom") else win.set_size_request(a.size, -1)
if a.exclusive:
    GtkLayerShell.auto_exclusive_zone_enable(win)

css = Gtk.CssProvider()
css.load_from_data(("window { background-color: %s; }" % a.color).encode())
Gtk.StyleContext.add_provider_for_screen(win.get_screen(), css, Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION)

menu = Gtk.Menu()
for label in ("First", "Second", "Third"):
    item = Gtk.MenuItem(label=label)
    item.connect("activate", lambda _w, text=label: report("menu " + text))
    menu.append(item)
menu.show_all()

win.add_events(0x3FFFFE)  # every event mask bit: keys and buttons


def on_button(_w, event):
    if event.button == 1:
        menu.popup_at_pointer(event)
    return True


win.connect("button-press-event", on_button)
win.connect("key-press-event", lambda _w, e: report("key " + (Gtk.accelerator_name(e.keyval, 0) or "?")) or True)
win.connect("map-event", lambda w, _e: report("mapped %dx%d" % (w.get_allocated_width(), w.get_allocated_height())))
win.connect("destroy", Gtk.main_quit)
win.show_all()
sys.exit(Gtk.main())
