// qt6-probe: a small Qt6 Widgets window for the apps suite. A menu bar
// (Alt+F or a click opens "File"), a text edit whose text is written to
// $PROBE_OUT at every change, and shortcuts that make the client itself ask
// the compositor for things: Ctrl+D opens a modal dialog, Ctrl+M toggles
// maximize, F11 toggles fullscreen. Its title reports its state.
#include <QApplication>
#include <QDialog>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QMainWindow>
#include <QMenuBar>
#include <QVBoxLayout>
#include <QWindowStateChangeEvent>

namespace {

class ProbeWindow : public QMainWindow {
public:
    ProbeWindow()
    {
        QMenu* file = menuBar()->addMenu("&File");
        file->addAction("Open &dialog", QKeySequence("Ctrl+D"), this, &ProbeWindow::open_dialog);
        file->addAction("&Maximize", QKeySequence("Ctrl+M"), this, &ProbeWindow::toggle_maximize);
        file->addAction("&Fullscreen", QKeySequence("F11"), this, &ProbeWindow::toggle_fullscreen);
        file->addAction("&Quit", QKeySequence("Ctrl+Q"), qApp, &QApplication::quit);
        edit_ = new QPlainTextEdit(this);  // fills the window: a right-click anywhere opens its menu
        connect(edit_, &QPlainTextEdit::textChanged, this, [this] { write_text(edit_->toPlainText()); });
        setCentralWidget(edit_);
        resize(640, 400);
        update_title();
        edit_->setFocus();
    }

protected:
    void changeEvent(QEvent* e) override
    {
        if (e->type() == QEvent::WindowStateChange) update_title();
        QMainWindow::changeEvent(e);
    }

private:
    void update_title()
    {
        QString t = "qt6-probe";
        if (windowState() & Qt::WindowMaximized) t += " maximized";
        if (windowState() & Qt::WindowFullScreen) t += " fullscreen";
        setWindowTitle(t);
    }
    void write_text(const QString& text)
    {
        QFile f(qEnvironmentVariable("PROBE_OUT"));
        if (f.fileName().isEmpty() || !f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return;
        f.write(text.toUtf8());
    }
    void open_dialog()
    {
        auto* d = new QDialog(this);
        d->setWindowTitle("qt6-probe dialog");
        d->setModal(true);
        d->setAttribute(Qt::WA_DeleteOnClose);
        auto* layout = new QVBoxLayout(d);
        layout->addWidget(new QLabel("A dialog of qt6-probe", d));
        d->resize(320, 200);
        d->show();
    }
    void toggle_maximize() { isMaximized() ? showNormal() : showMaximized(); }
    void toggle_fullscreen() { isFullScreen() ? showNormal() : showFullScreen(); }

    QPlainTextEdit* edit_;
};

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    ProbeWindow w;
    w.show();
    return app.exec();
}
