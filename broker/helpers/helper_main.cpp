// ctopbroker-helper: the processes the session starts, one role per run
// (`_worker`, `_agent`, `_audio`, `_supervisor`, and "Xwayland" when wlroots
// execs it as WLR_XWAYLAND). A program of its own so that `ctopbroker`, the
// command line, does not load what they need (liblxc attaches, sd-bus,
// PipeWire) every time it starts: a warm spawn starts the CLI and nothing else.
#include "agent.hpp"
#include "audio_bridge.hpp"
#include "supervisor.hpp"
#include "worker.hpp"
#include "xwayland_launcher.hpp"

#include <cstdio>
#include <string>

int main(int argc, char** argv)
{
    if (std::string(argv[0]) == "Xwayland") return ctop::xwayland_launcher_main(argc, argv);
    std::string role = argc == 2 ? argv[1] : "";
    if (role == "_worker") return ctop::worker_main();
    if (role == "_agent") return ctop::agent_main();
    if (role == "_audio") return ctop::audio_bridge_main();
    if (role == "_supervisor") return ctop::supervisor_main();
    std::fprintf(stderr, "ctopbroker-helper: started by the session only (_worker, _agent, _audio, _supervisor)\n");
    return 2;
}
