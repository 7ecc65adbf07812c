// gtk4-probe: a small GTK4 window for the apps suite. A client-side-decorated
// window with a menu bar (F10 or a click opens "File"), a text view whose
// text is written to $PROBE_OUT at every change (so a test can read back what
// was typed), and shortcuts that make the client itself ask the compositor for
// things: Ctrl+D opens a modal dialog, Ctrl+M toggles maximize, F11 toggles
// fullscreen. Its title reports its state, which `views --json` shows.
#include <gtk/gtk.h>

#include <stdio.h>
#include <stdlib.h>

static GtkWindow* main_window;

static void write_text(GtkTextBuffer* buffer, gpointer unused)
{
    (void)unused;
    const char* path = getenv("PROBE_OUT");
    if (!path) return;
    GtkTextIter start, end;
    gtk_text_buffer_get_bounds(buffer, &start, &end);
    char* text = gtk_text_buffer_get_text(buffer, &start, &end, FALSE);
    FILE* f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    g_free(text);
}

static void update_title(GtkWindow* w)
{
    char title[128];
    snprintf(title, sizeof title, "gtk4-probe%s%s", gtk_window_is_maximized(w) ? " maximized" : "",
             gtk_window_is_fullscreen(w) ? " fullscreen" : "");
    gtk_window_set_title(w, title);
}

static void on_state(GObject* w, GParamSpec* p, gpointer unused)
{
    (void)p;
    (void)unused;
    update_title(GTK_WINDOW(w));
}

static void open_dialog(GSimpleAction* a, GVariant* v, gpointer unused)
{
    (void)a;
    (void)v;
    (void)unused;
    GtkWindow* d = GTK_WINDOW(gtk_window_new());
    gtk_window_set_title(d, "gtk4-probe dialog");
    gtk_window_set_transient_for(d, main_window);
    gtk_window_set_modal(d, TRUE);
    gtk_window_set_default_size(d, 320, 200);
    gtk_window_set_child(d, gtk_label_new("A dialog of gtk4-probe"));
    gtk_window_present(d);
}

static void toggle_maximize(GSimpleAction* a, GVariant* v, gpointer unused)
{
    (void)a;
    (void)v;
    (void)unused;
    if (gtk_window_is_maximized(main_window)) gtk_window_unmaximize(main_window);
    else gtk_window_maximize(main_window);
}

static void toggle_fullscreen(GSimpleAction* a, GVariant* v, gpointer unused)
{
    (void)a;
    (void)v;
    (void)unused;
    if (gtk_window_is_fullscreen(main_window)) gtk_window_unfullscreen(main_window);
    else gtk_window_fullscreen(main_window);
}

static void quit(GSimpleAction* a, GVariant* v, gpointer app)
{
    (void)a;
    (void)v;
    g_application_quit(G_APPLICATION(app));
}

static void activate(GtkApplication* app, gpointer unused)
{
    (void)unused;
    const GActionEntry actions[] = {
        {.name = "dialog", .activate = open_dialog},
        {.name = "maximize", .activate = toggle_maximize},
        {.name = "fullscreen", .activate = toggle_fullscreen},
        {.name = "quit", .activate = quit},
    };
    g_action_map_add_action_entries(G_ACTION_MAP(app), actions, G_N_ELEMENTS(actions), app);
    const char* dialog_keys[] = {"<Control>d", NULL};
    const char* maximize_keys[] = {"<Control>m", NULL};
    const char* fullscreen_keys[] = {"F11", NULL};
    gtk_application_set_accels_for_action(app, "app.dialog", dialog_keys);
    gtk_application_set_accels_for_action(app, "app.maximize", maximize_keys);
    gtk_application_set_accels_for_action(app, "app.fullscreen", fullscreen_keys);

    GMenu* file = g_menu_new();
    g_menu_append(file, "Open dialog", "app.dialog");
    g_menu_append(file, "Maximize", "app.maximize");
    g_menu_append(file, "Fullscreen", "app.fullscreen");
    g_menu_append(file, "Quit", "app.quit");
    GMenu* bar = g_menu_new();
    g_menu_append_submenu(bar, "File", G_MENU_MODEL(file));

    main_window = GTK_WINDOW(gtk_application_window_new(app));
    gtk_window_set_default_size(main_window, 640, 400);
    gtk_window_set_titlebar(main_window, gtk_header_bar_new());  // client-side decorations
    GtkWidget* box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    gtk_box_append(GTK_BOX(box), gtk_popover_menu_bar_new_from_model(G_MENU_MODEL(bar)));
    GtkWidget* text = gtk_text_view_new();  // fills the window: a right-click anywhere opens its menu
    gtk_widget_set_vexpand(text, TRUE);
    g_signal_connect(gtk_text_view_get_buffer(GTK_TEXT_VIEW(text)), "changed", G_CALLBACK(write_text), NULL);
    gtk_box_append(GTK_BOX(box), text);
    gtk_window_set_child(main_window, box);
    g_signal_connect(main_window, "notify::maximized", G_CALLBACK(on_state), NULL);
    g_signal_connect(main_window, "notify::fullscreened", G_CALLBACK(on_state), NULL);
    update_title(main_window);
    gtk_window_present(main_window);
    gtk_widget_grab_focus(text);
}

int main(int argc, char** argv)
{
    GtkApplication* app = gtk_application_new("org.ctopbroker.Gtk4Probe", G_APPLICATION_NON_UNIQUE);
    g_signal_connect(app, "activate", G_CALLBACK(activate), NULL);
    int status = g_application_run(G_APPLICATION(app), argc, argv);
    g_object_unref(app);
    return status;
}
