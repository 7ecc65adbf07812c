#!/usr/bin/env python3
"""ctopbroker benchmarks: one run, one machine, one client, one output size.

Starts a headless ctopbroker session (pixman, 1280x720, refresh raised so the
compositor, not a 60 Hz timer, is the limit), then measures with the same
client (bench/frame_client) everywhere:

- frame throughput and commit->frame-done latency: on the host socket, inside
  an LXC container through its private socket, through waypipe, on sway
  (headless, as an unprivileged user), and for its X11 twin through xpra
  (frames counted where they arrive: commits of xpra's window in ctopbroker);
- spawn latency to the first drawn frame: the client started directly on the
  host socket, `ctopbroker spawn` into a running (warm) container, and into a
  stopped (cold) one;
- the session's CPU per drawn frame and RSS with 1, 8 and 32 containers of 4
  animated windows (weston-simple-shm), one container's workspace on screen;
- input latency, from the session's receipt of an injected key press or
  pointer motion to the focused client's handler: on the host socket, in a
  container, through waypipe, and for an X11 client through the container's
  Xwayland and through xpra;
- the memory a running container adds (PSS, and RSS summed), idle and then
  once its audio and Xwayland started, with 1, 8 and 32 containers;
- cross-container clipboard transfers of 1 MB and 100 MB (Super+Shift+C in
  one container, Super+Shift+V and wl-paste in another) against the same
  paste on the host socket.

Every figure is min/median/max over --repeat runs, with the median's ratio to
its baseline. Needs root (LXC). Usage: scripts/run bench [--repeat N]
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

WIDTH, HEIGHT, REFRESH = 1280, 720, 1000
SECTIONS = ["frames", "input", "spawn", "scale", "memory", "clipboard"]


class Session:
    def __init__(self, build, extra_env=None):
        self.bin = os.path.join(build, "broker", "ctopbroker")
        self.client = os.path.join(build, "bench", "frame_client")
        self.runtime = tempfile.mkdtemp(prefix="ctopbroker-bench-")
        os.chmod(self.runtime, 0o700)
        self.lxcpath = tempfile.mkdtemp(prefix="ctopbroker-bench-lxc-", dir="/var/tmp")
        os.chmod(self.lxcpath, 0o711)
        self.out = tempfile.mkdtemp(prefix="ctopbroker-bench-out-", dir="/var/tmp")
        os.chmod(self.out, 0o777)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=self.runtime, XDG_CONFIG_HOME=os.path.join(self.runtime, "config"),
                        CTOPBROKER_LXCPATH=self.lxcpath, **(extra_env or {}))
        for var in ("WAYLAND_DISPLAY", "DISPLAY", "WAYLAND_SOCKET"):
            self.env.pop(var, None)
        log = open(os.path.join(self.runtime, "session.log"), "w")
        self.proc = subprocess.Popen([self.bin, "session", "--headless", "--test-input", "--size", str(WIDTH),
                                      "--height", str(HEIGHT), "--refresh", str(REFRESH)], env=self.env, stdout=log,
                                     stderr=log)
        for _ in range(100):
            if self.ctl("status", check=False).returncode == 0:
                break
            time.sleep(0.05)
        status = json.loads(self.ctl("status", "--json").stdout)
        self.env["WAYLAND_DISPLAY"] = status["wayland_display"]
        self.containers = []

    def ctl(self, *args, check=True):
        return subprocess.run([self.bin, *args], env=self.env, capture_output=True, text=True, check=check)

    def create(self, name, clipboard_max=None, cpu_weight=None):
        bench_dir = os.path.dirname(self.client)
        weight = ["--cpu-weight", str(cpu_weight)] if cpu_weight else []
        self.ctl("create", name, "--privileged", *weight, "--share", f"{bench_dir}:/opt/bench",
                 "--share", f"{self.out}:/opt/out:rw")
        self.containers.append(name)
        if clipboard_max:
            policy = os.path.join(self.env["XDG_CONFIG_HOME"], "ctopbroker", "containers", f"{name}.toml")
            text = open(policy).read()
            assert "max_bytes = " in text, policy
            text = "\n".join(f"max_bytes = {clipboard_max}" if l.startswith("max_bytes = ") else l
                              for l in text.splitlines())
            open(policy, "w").write(text + "\n")

    def request(self, req):
        """One control request over the socket itself: quicker than the CLI, for polling."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(os.path.join(self.runtime, "ctopbroker", "control.sock"))
            sock.sendall((json.dumps(req) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)

    def view(self, title):
        for v in self.request({"cmd": "views"})["views"]:
            if title in v["title"]:
                return v
        return None

    def close(self):
        for name in self.containers:
            self.ctl("destroy", "--force", name, check=False)
        self.ctl("quit", check=False)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        for d in (self.runtime, self.lxcpath, self.out):
            shutil.rmtree(d, ignore_errors=True)


def client_args(frames, warmup):
    return ["--frames", str(frames), "--warmup", str(warmup), "--size", f"{WIDTH}x{HEIGHT}"]


def run_host(s, frames, warmup, prefix=(), switch=True):
    # Frame callbacks go only to what is on screen: the host's workspace.
    if switch:
        s.ctl("workspace", "host")
    r = subprocess.run([*prefix, s.client, *client_args(frames, warmup)], env=s.env, capture_output=True, text=True,
                       check=True, timeout=120)
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_in_container(s, name, frames, warmup, cli=True):
    """`ctopbroker spawn`s the client (or sends the same request on the control socket
    itself, without the CLI); returns its report and when spawn was called."""
    out = os.path.join(s.out, f"{name}.json")
    if os.path.exists(out):
        os.unlink(out)
    # Its window draws only once its workspace is on screen: switch first when
    # the container runs (warm), right after the spawn when it did not (cold).
    warm = s.ctl("workspace", name, check=False).returncode == 0
    argv = ["/opt/bench/frame_client", *client_args(frames, warmup), "--out", f"/opt/out/{name}.json"]
    t0 = time.monotonic_ns()
    if cli:
        s.ctl("spawn", name, "--", *argv)
    else:
        reply = s.request({"cmd": "spawn", "name": name, "lxcpath": s.lxcpath, "argv": argv})
        if not reply.get("ok"):
            raise RuntimeError(f"spawn in {name}: {reply}")
    if not warm:
        s.ctl("workspace", name)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if os.path.exists(out):
            text = open(out).read()
            if text.endswith("\n"):
                return json.loads(text), t0
        time.sleep(0.01)
    raise RuntimeError(f"the client in container {name} never reported; see {s.runtime}/ctopbroker/logs")


def with_waypipe(s, frames, warmup):
    sock = os.path.join(s.runtime, "waypipe.sock")
    client = subprocess.Popen(["waypipe", "--socket", sock, "client"], env=s.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.02)
        return run_host(s, frames, warmup, prefix=["waypipe", "--socket", sock, "server", "--"])
    finally:
        client.terminate()
        client.wait()
        if os.path.exists(sock):
            os.unlink(sock)


def on_sway(s, frames, warmup):
    """The same client on sway's headless backend, run as an unprivileged user (sway refuses root)."""
    user = "ctopbench"
    if subprocess.run(["id", user], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user], check=True)
    runtime = tempfile.mkdtemp(prefix="ctopbroker-bench-sway-")
    shutil.chown(runtime, user, user)
    config = os.path.join(runtime, "config")
    with open(config, "w") as f:
        f.write(f"output HEADLESS-1 mode --custom {WIDTH}x{HEIGHT}@{REFRESH}Hz\ndefault_border none\n")
    os.chmod(config, 0o644)
    env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": runtime, "WLR_BACKENDS": "headless",
           "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1"}
    sway = subprocess.Popen(["runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()],
                             "sway", "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            sockets = [n for n in os.listdir(runtime) if n.startswith("wayland-") and not n.endswith(".lock")]
            if sockets:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("sway did not start")
        r = subprocess.run(["runuser", "-u", user, "--", "env", "-i", f"XDG_RUNTIME_DIR={runtime}",
                            f"WAYLAND_DISPLAY={sockets[0]}", s.client, *client_args(frames, warmup)],
                           capture_output=True, text=True, check=True, timeout=120)
        return json.loads(r.stdout.strip().splitlines()[-1])
    finally:
        sway.terminate()
        sway.wait()
        shutil.rmtree(runtime, ignore_errors=True)


class Xpra:
    """An xpra server (its own Xvfb) with its client attached to the session as a Wayland client."""

    def __init__(self, s, display=":97"):
        self.s, self.display = s, display
        # xpra is a python program of Debian's: keep other pythons out of its way.
        self.env = dict(s.env, PATH="/usr/bin:/bin:/usr/sbin:/sbin", GDK_BACKEND="wayland")
        quiet = ["--mdns=no", "--notifications=no", "--speaker=off", "--microphone=off", "--webcam=no",
                 "--clipboard=no", "--printing=no", "--file-transfer=no"]
        log = open(os.path.join(s.runtime, "xpra.log"), "w")
        self.server = subprocess.Popen(
            ["xpra", "start", display, "--daemon=no", "--pulseaudio=no", "--dbus-launch=", "--dbus-proxy=no",
             "--html=off", "--systemd-run=no", "--xsettings=no", "--start=", "--start-child=", *quiet,
             "--xvfb=Xvfb +extension Composite -screen 0 1920x1080x24+32 -nolisten tcp -noreset"],
            env=self.env, stdout=log, stderr=log)
        time.sleep(4)
        self.client = subprocess.Popen(["xpra", "attach", display, "--opengl=no", "--tray=no", "--system-tray=no",
                                        *quiet], env=self.env, stdout=log, stderr=log)
        time.sleep(3)

    def run(self, seconds):
        """fps that reach ctopbroker's screen while the X client draws for `seconds`."""
        client = subprocess.Popen([self.s.client.replace("frame_client", "x11_frame_client"), "--seconds",
                                   str(seconds + 2), "--size", f"{WIDTH}x{HEIGHT}"],
                                  env=dict(self.env, DISPLAY=self.display), stdout=subprocess.PIPE, text=True)
        title = "ctopbroker x11 frame bench"
        deadline = time.monotonic() + 20
        while not self.s.view(title) and time.monotonic() < deadline:
            time.sleep(0.05)
        v = self.s.view(title)
        if not v:
            client.kill()
            raise RuntimeError(f"xpra's window never reached the session; see {self.s.runtime}/xpra.log")
        self.s.ctl("workspace", "host")
        time.sleep(1)  # past the start
        c0, t0 = self.s.view(title)["commits"], time.monotonic()
        time.sleep(seconds)
        c1, t1 = self.s.view(title)["commits"], time.monotonic()
        x = json.loads(client.communicate()[0].strip().splitlines()[-1])
        return {"fps": (c1 - c0) / (t1 - t0), "x_fps": x["fps"]}

    def close(self):
        for p in (self.client, self.server):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def read_events(path):
    # The client may be writing a line as we read: only lines it finished
    # (ending in a newline) count, or a half-written stamp becomes a number.
    try:
        text = open(path).read()
        return [l.split() for l in text[:text.rfind("\n") + 1].splitlines() if l.count(" ") == 1]
    except FileNotFoundError:
        return []


def wait_events(path, kind, count, timeout=10.0):
    """The client's stamps of `kind` once it has written `count` of them."""
    deadline = time.monotonic() + timeout
    while True:
        stamps = [int(t) for k, t in read_events(path) if k == kind]
        if len(stamps) >= count:
            return stamps
        if time.monotonic() > deadline:
            raise RuntimeError(f"input bench: the client wrote {len(stamps)} '{kind}' of {count} ({path})")
        time.sleep(0.0005)


# "container" is container `bench`, created with cpu_weight 100 (what a host
# process weighs), so that it differs from the host client only by its
# socket; "container50" is container `bench50` with the policy's default
# cpu_weight 50, which a loaded machine makes wait for the CPU longer.
INPUT_PATHS = ["host", "container", "container50", "waypipe", "xwayland", "xpra"]
CONTAINER_OF = {"container": "bench", "container50": "bench50", "xwayland": "bench"}
INPUT_LABELS = {"host": "host socket", "container": "container (private socket)",
                "container50": "container, default cpu_weight 50", "waypipe": "waypipe (host)",
                "xwayland": "X11 client, container's Xwayland", "xpra": "X11 client through xpra"}


class InputClient:
    """The input bench's client on one path, focused and under the pointer:
    bench/input_client on the host socket, in container `bench` or through
    waypipe; bench/x11_input_client in the container (its Xwayland) or in
    xpra's Xvfb (its window shown by xpra's client on the host socket)."""

    def __init__(self, s, path, xpra=None):
        self.s, self.path_kind = s, path
        self.path = os.path.join(s.out, f"input-{path}.txt")
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.procs = []
        self.inside = None  # the command name to pkill in the container
        size = ["--size", f"{WIDTH}x{HEIGHT}"]
        wayland = s.client.replace("frame_client", "input_client")
        x11 = s.client.replace("frame_client", "x11_input_client")
        self.pid = None
        self.workspace = "host"
        if path in ("host", "waypipe", "xpra"):
            s.ctl("workspace", "host")
        else:
            self.container = self.workspace = CONTAINER_OF[path]
            s.ctl("workspace", self.container, check=False)
        if path == "host":
            self.procs.append(subprocess.Popen([wayland, *size, "--out", self.path], env=s.env))
            self.pid = self.procs[-1].pid
        elif path == "waypipe":
            sock = os.path.join(s.runtime, "waypipe-input.sock")
            self.procs.append(subprocess.Popen(["waypipe", "--socket", sock, "client"], env=s.env,
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for _ in range(100):
                if os.path.exists(sock):
                    break
                time.sleep(0.02)
            # Its server end reports an error when the bench ends it: not a failure.
            self.procs.append(subprocess.Popen(["waypipe", "--socket", sock, "server", "--", wayland, *size, "--out",
                                                self.path], env=s.env, stderr=subprocess.DEVNULL))
            self.sock = sock
        elif path == "xpra":
            self.procs.append(subprocess.Popen([x11, *size, "--out", self.path],
                                               env=dict(xpra.env, DISPLAY=xpra.display)))
            self.pid = self.procs[-1].pid
        else:
            self.inside = "x11_input_client" if path == "xwayland" else "input_client"
            s.ctl("spawn", self.container, "--", f"/opt/bench/{self.inside}", *size, "--out",
                  f"/opt/out/input-{path}.txt")
            s.ctl("workspace", self.container)
        wait_events(self.path, "ready", 1, timeout=60)
        self.moves = 0
        time.sleep(0.05)  # past any enter/leave of the map
        self.move()  # the first motion enters the surface

    def move(self):
        # Alternating between two neighbouring points: every request is a motion.
        x = WIDTH // 2 + self.moves % 2
        r = self.s.request({"cmd": "pointer", "action": "move", "x": x, "y": HEIGHT // 2})
        self.moves += 1
        return r["injected_ns"]

    def show(self):
        """Puts this client's workspace on screen (its window takes focus), the pointer entered."""
        self.s.request({"cmd": "workspace", "name": self.workspace})
        time.sleep(0.03)  # past the focus change's enter events
        # Away from the two points measure() alternates between, so that it is a motion
        # wherever another client left the pointer.
        for x in (WIDTH // 2 - 10, WIDTH // 2 + 10):
            seen = len(wait_events(self.path, "motion", 0))
            self.s.request({"cmd": "pointer", "action": "move", "x": x, "y": HEIGHT // 2})
            try:
                wait_events(self.path, "motion", seen + 1, timeout=2)
                return
            except RuntimeError:
                pass
        raise RuntimeError(f"input bench: the {self.path_kind} client got no motion on its workspace")

    def client_pid(self):
        """The pid (host's view) of the process whose handler stamps the events."""
        if self.pid is None:
            comm = "x11_input_clien" if self.path_kind in ("xwayland", "xpra") else "input_client"
            self.pid = find_process(comm, self.container if self.inside else None)
        return self.pid

    def measure(self, events):
        """Milliseconds from the session's injection to the client's handler, per event, and the
        milliseconds per event the client waited for a CPU after its wake-ups (/proc/PID/schedstat)."""
        time.sleep(0.05)
        pid = self.client_pid()
        wait0 = run_delay_ns(pid)
        motion, key = [], []
        for _ in range(events):
            seen = len(wait_events(self.path, "motion", 0))
            injected = self.move()
            motion.append((wait_events(self.path, "motion", seen + 1)[seen] - injected) / 1e6)
        for _ in range(events):
            seen = len(wait_events(self.path, "key", 0))
            injected = self.s.request({"cmd": "key", "combo": "a"})["injected_ns"]
            key.append((wait_events(self.path, "key", seen + 1)[seen] - injected) / 1e6)
        waited = (run_delay_ns(pid) - wait0) / 1e6 / (2 * events) if pid and wait0 is not None else None
        return {"motion_ms": motion, "key_ms": key, "cpu_wait_ms": [waited] if waited is not None else []}

    def close(self):
        if self.inside:
            # By its command line: pkill -x matches the 15 characters of a process name only.
            self.s.ctl("exec", self.container, "--", "pkill", "-f", f"^/opt/bench/{self.inside} ", check=False)
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self.path_kind == "waypipe" and os.path.exists(self.sock):
            os.unlink(self.sock)
        # The next path's window must be the only one on its workspace (focus, pointer).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(
                "input bench" in v["title"] and v["workspace"] == self.workspace
                for v in self.s.request({"cmd": "views"})["views"]):
            time.sleep(0.02)


def find_process(comm, container=None):
    """The pid of the process named `comm` in container `container`'s LXC cgroup (LXC adds -N to a
    name taken by a cgroup an earlier run left), or in none; None if there is none."""
    inside = re.compile(r"/lxc\.payload\." + re.escape(container) + r"(-[0-9]+)?(/|$)", re.M) if container else None
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if open(f"/proc/{d}/comm").read().strip() != comm:
                continue
            groups = open(f"/proc/{d}/cgroup").read()
        except OSError:
            continue
        if inside.search(groups) if inside else ("lxc.payload." not in groups):
            return int(d)
    return None


def run_delay_ns(pid):
    """Nanoseconds the process has spent runnable but waiting for a CPU (schedstat's second field)."""
    try:
        return int(open(f"/proc/{pid}/schedstat").read().split()[1])
    except (OSError, TypeError, IndexError, ValueError):
        return None


# Measured side by side: their clients run at once, each alone on its
# workspace, and every run passes between them in blocks, so that load drifts
# hit them alike (their differences are tens of microseconds).
INTERLEAVED = ["host", "container", "container50"]


def input_latency(s, repeat, events, paths, blocks=4):
    """Each run measures every path: the INTERLEAVED ones in `blocks` turns each, in an order that
    rotates, then the others (waypipe, Xwayland, xpra: they share a workspace with one of those) in turn."""
    out = {k: {"motion_ms": [], "key_ms": [], "cpu_wait_ms": []} for k in paths}
    xpra = Xpra(s) if "xpra" in paths else None
    together = [p for p in INTERLEAVED if p in paths]
    per_block = max(1, events // blocks)
    try:
        for run in range(repeat):
            clients = []
            try:
                for path in together:
                    clients.append(InputClient(s, path, xpra))
                for turn in range(blocks * len(clients)):
                    c = clients[(turn + run) % len(clients)]
                    c.show()
                    for k, v in c.measure(per_block).items():
                        out[c.path_kind][k] += v
            finally:
                for c in clients:
                    c.close()
            for path in (p for p in paths if p not in together):
                c = InputClient(s, path, xpra)
                try:
                    r = c.measure(events)
                finally:
                    c.close()
                for k in r:
                    out[path][k] += r[k]
    finally:
        if xpra:
            xpra.close()
    return out


def proc_cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def scale(s, counts, windows, samples, seconds=2.0):
    """CPU per drawn frame and RSS of the session with N containers x `windows` animated windows."""
    out = {}
    made = 0
    for n in counts:
        while made < n:
            made += 1
            name = f"scale{made}"
            s.create(name)
            for _ in range(windows):
                s.ctl("spawn", name, "--", "weston-simple-shm")
        deadline = time.monotonic() + 60
        while len(s.request({"cmd": "views"})["views"]) < n * windows and time.monotonic() < deadline:
            time.sleep(0.1)
        s.ctl("workspace", "scale1")
        time.sleep(1)
        cpu, rss = [], []
        for _ in range(samples):
            c0, f0 = proc_cpu_seconds(s.proc.pid), s.request({"cmd": "status"})["frames"]
            time.sleep(seconds)
            c1, f1 = proc_cpu_seconds(s.proc.pid), s.request({"cmd": "status"})["frames"]
            cpu.append((c1 - c0) * 1000 / max(f1 - f0, 1))
            rss.append(proc_rss_mb(s.proc.pid))
        out[n] = {"cpu_ms_per_frame": cpu, "rss_mb": rss}
    for i in range(1, made + 1):
        s.ctl("stop", f"scale{i}", check=False)
    return out


def proc_table():
    """pid -> (ppid, comm) for every process."""
    table = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                fields = open(f"/proc/{d}/stat").read().rsplit(")", 1)
                table[int(d)] = (int(fields[1].split()[1]), fields[0].split("(", 1)[1])
            except (OSError, IndexError):
                pass
    return table


def descendants(table, root):
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def in_containers(table, names):
    """Processes in the cgroups LXC makes for these containers (payload and monitor)."""
    wanted = {f"lxc.{kind}.{n}" for n in names for kind in ("payload", "monitor")}
    out = []
    for pid in table:
        try:
            path = open(f"/proc/{pid}/cgroup").read()
        except OSError:
            continue
        if wanted.intersection(path.replace("\n", "/").split("/")):
            out.append(pid)
    return out


def proc_field_mb(pid, file, field):
    """A kB figure of /proc/PID/FILE (e.g. smaps_rollup's Pss:) in MB; 0 when the process is gone."""
    try:
        for line in open(f"/proc/{pid}/{file}"):
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pss_mb(pid):
    return proc_field_mb(pid, "smaps_rollup", "Pss:")


def footprint(s, names, measure=None):
    """PSS (or `measure`) in MB of the session, its helpers and these containers' processes, by command name."""
    measure = measure or pss_mb
    table = proc_table()
    pids = set(descendants(table, s.proc.pid)) | set(in_containers(table, names))
    by_comm = {}
    for pid in pids:
        comm = table[pid][1]
        by_comm[comm] = by_comm.get(comm, 0.0) + measure(pid)
    return by_comm


def rss_mb(pid):
    return proc_field_mb(pid, "status", "VmRSS:")


def settle_and_sample(s, names, base_mb, samples):
    time.sleep(3)  # helpers and in-container daemons settle
    per = []
    for _ in range(samples):
        by_comm = footprint(s, names)
        per.append((sum(by_comm.values()) - base_mb) / len(names))
        time.sleep(0.5)
    return per, by_comm


def rss_per_container(s, names, base_rss):
    """RSS summed over the same processes: counts every shared page in every process that maps it."""
    return (sum(footprint(s, names, rss_mb).values()) - base_rss) / len(names)


def wake(s, name):
    """What a container starts lazily: its audio (a real PipeWire client) and its Xwayland (a real X client)."""
    s.ctl("exec", name, "--", "timeout", "30", "pw-cli", "info", "0", check=False)
    s.ctl("exec", name, "--", "timeout", "30", "xdpyinfo", check=False)
    deadline = time.monotonic() + 30
    while s.ctl("audio", name, "--json", check=False).returncode != 0 and time.monotonic() < deadline:
        time.sleep(0.1)


def memory(s, counts, samples):
    """PSS each running container adds: compositor share, helpers, LXC, in-container processes.

    Idle: spawned with `true`, nothing left of the spawn, nothing started
    lazily. Then in use: the same containers after one audio client and one
    X client each, so PipeWire, pipewire-pulse, the audio bridge and Xwayland
    run (the clients themselves have ended)."""
    time.sleep(1)
    base_comm = footprint(s, [])
    base = [sum(footprint(s, []).values()) for _ in range(samples)]
    base_mb = statistics.median(base)
    base_rss = sum(footprint(s, [], rss_mb).values())
    out = {"rss_mb": {}, "in_use_rss_mb": {}, "baseline_mb": base, "per_container_mb": {}, "by_process_mb": {}, "in_use_mb": {}, "in_use_by_process_mb": {}}
    names = []
    for n in counts:
        while len(names) < n:
            name = f"ctopmem{len(names) + 1}"
            s.create(name)
            s.ctl("spawn", name, "--", "true")  # running, idle: nothing left of the spawn
            names.append(name)
        per, by_comm = settle_and_sample(s, names, base_mb, samples)
        out["per_container_mb"][n] = per
        out["rss_mb"][n] = rss_per_container(s, names, base_rss)
        added = {k: (v - base_comm.get(k, 0.0)) / n for k, v in by_comm.items()}
        out["by_process_mb"][n] = dict(sorted(added.items(), key=lambda kv: -kv[1]))
    # The same containers started again, each woken, N at a time.
    for name in names:
        s.ctl("stop", name, check=False)
    woken = []
    for n in counts:
        while len(woken) < n:
            name = names[len(woken)]
            s.ctl("spawn", name, "--", "true")
            wake(s, name)
            woken.append(name)
        per, by_comm = settle_and_sample(s, woken, base_mb, samples)
        out["in_use_mb"][n] = per
        out["in_use_rss_mb"][n] = rss_per_container(s, woken, base_rss)
        added = {k: (v - base_comm.get(k, 0.0)) / n for k, v in by_comm.items()}
        out["in_use_by_process_mb"][n] = dict(sorted(added.items(), key=lambda kv: -kv[1]))
    for name in names:
        s.ctl("destroy", "--force", name, check=False)
        s.containers.remove(name)
    return out


def timed_paste(runner):
    """Runs wl-paste with the clock read where it runs; returns (bytes, seconds)."""
    script = 's=$(date +%s%N); n=$(wl-paste -n | wc -c); e=$(date +%s%N); echo "$n $((e - s))"'
    out = runner(["sh", "-c", script]).split()
    return int(out[0]), int(out[1]) / 1e9


def clipboard(s, sizes, repeat):
    """Seconds to move `size` bytes from container clipa to clipb, vs a paste on the host socket."""
    big = max(sizes) * 2
    s.create("clipa", clipboard_max=big)
    s.create("clipb", clipboard_max=big)
    s.ctl("spawn", "clipa", "--", "true")
    s.ctl("spawn", "clipb", "--", "true")
    inside = lambda name: lambda argv: s.ctl("exec", name, "--", *argv).stdout
    on_host = lambda argv: subprocess.run(argv, env=s.env, capture_output=True, text=True, check=True).stdout
    out = {}
    for size in sizes:
        s.ctl("exec", "clipa", "--", "sh", "-c", f"head -c {size} /dev/urandom | base64 -w0 | head -c {size} > /tmp/p")
        host_payload = os.path.join(s.runtime, "payload")
        subprocess.run(["sh", "-c", f"head -c {size} /dev/urandom | base64 -w0 | head -c {size} > {host_payload}"],
                       check=True)
        cross, host = [], []
        for _ in range(repeat):
            s.ctl("workspace", "clipa")
            s.ctl("spawn", "clipa", "--", "sh", "-c", "exec wl-copy --foreground --type text/plain < /tmp/p")
            deadline = time.monotonic() + 30
            while "clipa" not in s.request({"cmd": "clipboard"})["selections"] and time.monotonic() < deadline:
                time.sleep(0.01)
            t0 = time.monotonic()
            s.ctl("key", "Super+Shift+c")
            while True:
                b = s.request({"cmd": "clipboard"})["buffer"]
                if b and b["bytes"] == size:
                    break
                if time.monotonic() > t0 + 120:
                    raise RuntimeError("the broker never read clipa's clipboard")
                time.sleep(0.002)
            copy = time.monotonic() - t0
            s.ctl("workspace", "clipb")
            s.ctl("key", "Super+Shift+v")
            n, paste = timed_paste(inside("clipb"))
            if n != size:
                raise RuntimeError(f"clipb pasted {n} bytes of {size}")
            cross.append(copy + paste)
            s.ctl("exec", "clipa", "--", "pkill", "-x", "wl-copy", check=False)

            s.ctl("workspace", "host")
            copier = subprocess.Popen(["sh", "-c", f"exec wl-copy --foreground --type text/plain < {host_payload}"],
                                      env=s.env)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # until wl-copy has read its input and offers it
                if subprocess.run(["wl-paste", "--list-types"], env=s.env, capture_output=True).stdout.strip():
                    break
                time.sleep(0.02)
            n, paste = timed_paste(on_host)
            copier.terminate()
            copier.wait()
            if n != size:
                raise RuntimeError(f"the host pasted {n} bytes of {size}")
            host.append(paste)
        out[size] = {"cross_container_s": cross, "host_s": host}
    return out


def spawn_latency(s, runs):
    """Start -> first drawn frame: direct on the host socket, warm through the CLI and through the
    control socket alone, cold; the CLI's own round trip. Each run takes them in a rotated order.
    Also, per start, how long the client itself waited for a CPU until its first frame."""
    out = {"host": [], "warm": [], "warm_socket": [], "cold": [], "cli": [], "cpu_wait_ms": {}}

    def record(kind, res, t0):
        out[kind].append((res["first_present_ns"] - t0) / 1e6)
        out["cpu_wait_ms"].setdefault(kind, []).append(res.get("first_present_cpu_wait_ns", 0) / 1e6)

    def host():
        s.ctl("workspace", "host")  # before the clock starts: a direct start switches nothing
        t0 = time.monotonic_ns()
        record("host", run_host(s, 1, 0, switch=False), t0)

    def warm(cli):
        res, t0 = run_in_container(s, "bench", 1, 0, cli=cli)
        record("warm" if cli else "warm_socket", res, t0)

    def cli():
        t0 = time.monotonic_ns()
        s.ctl("status")
        out["cli"].append((time.monotonic_ns() - t0) / 1e6)

    kinds = [host, lambda: warm(True), lambda: warm(False), cli]
    for run in range(runs):
        for k in kinds[run % len(kinds):] + kinds[:run % len(kinds)]:
            k()
    # Cold last: each stops the container first.
    for _ in range(max(3, runs // 3)):
        s.ctl("stop", "bench")
        res, t0 = run_in_container(s, "bench", 1, 0)
        record("cold", res, t0)
    return out


def spread(values):
    return min(values), statistics.median(values), max(values)


def row(label, values, unit, baseline=None):
    lo, med, hi = spread(values)
    ratio = f"{med / baseline:6.2f}x" if baseline else ""
    print(f"  {label:<34} {lo:9.2f} {med:9.2f} {hi:9.2f} {unit:<6} {ratio}")
    return med


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--containers", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--events", type=int, default=200, help="input events per kind per run")
    parser.add_argument("--spawns", type=int, default=20, help="spawns of each kind (cold: a third of them)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS, help="run only these sections")
    parser.add_argument("--json", help="also write the raw figures here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: needs root (it creates LXC containers)")
    needs = {"frames": ("waypipe", "sway", "xpra", "Xvfb"), "input": ("waypipe", "xpra", "Xvfb"), "scale": ("weston-simple-shm",), "clipboard": ("wl-copy",)}
    for tool in (t for section in args.only for t in needs.get(section, ())):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is not installed (scripts/run bench installs it)")

    load = os.getloadavg()
    s = Session(os.path.abspath(args.build))
    r = {}
    xpra = slow = None
    try:
        # Both started once: "warm" from here on (see INPUT_PATHS for why two).
        s.create("bench", cpu_weight=100)
        s.create("bench50")
        for name in ("bench", "bench50"):
            s.ctl("spawn", name, "--", "true")
        if "frames" in args.only:
            warm = args.frames // 10
            paths = ["host", "container", "container50", "host_slow", "waypipe", "sway"]
            fps = {k: [] for k in paths + ["xpra"]}
            lat = {k: [] for k in paths}
            xpra = Xpra(s)
            # A second session drawing the way wlroots 0.15's pixman renderer
            # does by itself, for what compositor/blit_renderer.cpp changes.
            slow = Session(os.path.abspath(args.build), {"CTOPBROKER_SLOW_BLITS": "1"})
            for _ in range(args.repeat):
                for key, run in (("host", lambda: run_host(s, args.frames, warm)),
                                 ("container", lambda: run_in_container(s, "bench", args.frames, warm)[0]),
                                 ("container50", lambda: run_in_container(s, "bench50", args.frames, warm)[0]),
                                 ("host_slow", lambda: run_host(slow, args.frames, warm)),
                                 ("waypipe", lambda: with_waypipe(s, args.frames, warm)),
                                 ("sway", lambda: on_sway(s, args.frames, warm))):
                    res = run()
                    fps[key].append(res["fps"])
                    lat[key].append(res["latency_ms"]["median"])
                fps["xpra"].append(xpra.run(3)["fps"])
            xpra.close()
            xpra = None
            slow.close()
            slow = None
            r["fps"], r["latency_ms"] = fps, lat

        if "input" in args.only:
            r["input"] = input_latency(s, args.repeat, args.events, INPUT_PATHS)

        if "spawn" in args.only:
            r["spawn_ms"] = spawn_latency(s, args.spawns)
        s.ctl("stop", "bench")
        s.ctl("stop", "bench50")

        # Idle containers first, with nothing else running: then the animated ones.
        if "memory" in args.only:
            r["memory"] = memory(s, args.containers, args.repeat)
        # Before the clipboard runs: a 100 MB transfer leaves the session's heap larger.
        if "scale" in args.only:
            r["scale"] = scale(s, args.containers, 4, args.repeat)
        if "clipboard" in args.only:
            r["clipboard"] = clipboard(s, [1 << 20, 100 << 20], args.repeat)
    finally:
        if xpra:
            xpra.close()
        if slow:
            slow.close()
        s.close()
    load_after = os.getloadavg()
    report(args, r, load, load_after)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f, indent=2)


def report(args, r, load, load_after):
    med = statistics.median
    targets = []  # (what, measured, met)
    print(f"ctopbroker benchmarks: {WIDTH}x{HEIGHT} shm frames, headless pixman output at {REFRESH} Hz, "
          f"{args.repeat} runs of {args.frames} frames, {args.events} input events per kind per run, "
          f"{os.cpu_count()} cores, load average {load[0]:.1f} before / {load_after[0]:.1f} after")
    print(f"  {'':<34} {'min':>9} {'median':>9} {'max':>9} {'unit':<6} vs baseline")
    if "fps" in r:
        fps, lat = r["fps"], r["latency_ms"]
        print("frame throughput (higher is better; baseline: host socket)")
        base = row("host socket", fps["host"], "fps")
        row("container (private socket)", fps["container"], "fps", base)
        row("container, default cpu_weight 50", fps["container50"], "fps", base)
        row("host, wlroots' own pixman drawing", fps["host_slow"], "fps", base)
        row("waypipe (host)", fps["waypipe"], "fps", base)
        row("sway 1.7 headless (host socket)", fps["sway"], "fps", base)
        row("X11 twin through xpra", fps["xpra"], "fps", base)
        print("commit -> frame done, median per run (lower is better; baseline: sway, same run)")
        base = row("sway 1.7 headless (host socket)", lat["sway"], "ms")
        row("host socket", lat["host"], "ms", base)
        row("container (private socket)", lat["container"], "ms", base)
        row("container, default cpu_weight 50", lat["container50"], "ms", base)
        row("host, wlroots' own pixman drawing", lat["host_slow"], "ms", base)
        row("waypipe (host)", lat["waypipe"], "ms", base)
        c = med(fps["container"])
        targets += [("container >= 0.95x host throughput", c / med(fps["host"]), c / med(fps["host"]) >= 0.95),
                    ("container >= 5x waypipe throughput", c / med(fps["waypipe"]), c / med(fps["waypipe"]) >= 5),
                    ("container >= 10x xpra throughput", c / med(fps["xpra"]), c / med(fps["xpra"]) >= 10)]
        for k in ("host", "container", "container50"):
            ratio = med(lat[k]) / med(lat["sway"])
            targets.append((f"{k} frame latency <= 1.0x sway's", ratio, ratio <= 1.0))
    if "input" in r:
        inp = r["input"]
        for kind, label in (("key_ms", "key press"), ("motion_ms", "pointer motion")):
            print(f"session receives {label} -> client handler runs, every event (lower is better; baseline: host)")
            base = row("host socket", inp["host"][kind], "ms")
            for path in inp:
                if path != "host":
                    row(INPUT_LABELS[path], inp[path][kind], "ms", base)
            for path in ("container", "container50"):
                ratio = med(inp[path][kind]) / base
                targets.append((f"{path} {label} latency <= 1.05x host", ratio, ratio <= 1.05))
            if "xpra" in inp and "xwayland" in inp:
                for path in ("container", "xwayland"):
                    gain = med(inp["xpra"][kind]) / med(inp[path][kind])
                    targets.append((f"{path} {label} latency >= 10x better than xpra's", gain, gain >= 10))
    if "input" in r:
        inp = r["input"]
        # No ratio: the host's is often 0, and this says why, not how fast.
        print("the client's wait for a CPU after its wake-ups (schedstat run_delay), per event, mean of each turn")
        for path, v in inp.items():
            if v.get("cpu_wait_ms"):
                row(INPUT_LABELS[path], [w * 1000 for w in v["cpu_wait_ms"]], "us")
    if "spawn_ms" in r:
        spawn = r["spawn_ms"]
        print("start -> first frame drawn (lower is better; baseline: client started on the host socket)")
        base = row("host socket, direct", spawn["host"], "ms")
        row("ctopbroker spawn, warm container", spawn["warm"], "ms", base)
        row("warm, control socket without CLI", spawn["warm_socket"], "ms", base)
        row("ctopbroker spawn, cold container", spawn["cold"], "ms", base)
        row("the CLI alone: ctopbroker status", spawn["cli"], "ms", base)
        if spawn.get("cpu_wait_ms"):
            print("the client's own wait for a CPU from its fork to its first frame (schedstat run_delay)")
            waits = spawn["cpu_wait_ms"]
            for kind, label in (("host", "host socket, direct"), ("warm", "ctopbroker spawn, warm"),
                                ("warm_socket", "warm, control socket without CLI"),
                                ("cold", "ctopbroker spawn, cold")):
                if kind in waits:
                    row(label, waits[kind], "ms")
        targets.append(("warm spawn <= 1.1x host-direct start", med(spawn["warm"]) / base,
                        med(spawn["warm"]) / base <= 1.1))
        if spawn.get("warm_socket"):
            # What a spawn costs past the CLI's own process: Super+D and Super+Return start none.
            ratio = med(spawn["warm_socket"]) / base
            targets.append(("warm spawn without the CLI <= 1.1x host-direct start", ratio, ratio <= 1.1))
        extra = med(spawn["cold"]) - base
        targets.append(("cold spawn <= host-direct start + 150 ms (ms over)", extra, extra <= 150))
    if "clipboard" in r:
        print("clipboard, container to container (lower is better; baseline: paste on the host socket)")
        for size, c in r["clipboard"].items():
            mb = size / (1 << 20)
            base = row(f"{mb:.0f} MB, host paste", [x * 1000 for x in c["host_s"]], "ms")
            row(f"{mb:.0f} MB, Super+Shift+C/V + paste", [x * 1000 for x in c["cross_container_s"]], "ms", base)
            row(f"{mb:.0f} MB, container to container", [mb / x for x in c["cross_container_s"]], "MB/s")
    if "memory" in r:
        m = r["memory"]
        not_helpers = ("ctopbroker-sess", "init", "lxc-start")
        print("PSS an idle running container adds (session share, helpers, LXC, in-container; baseline: 1 container)")
        first = min(m["per_container_mb"])
        base = med(m["per_container_mb"][first])
        for n, per in m["per_container_mb"].items():
            row(f"{n} containers: per container", per, "MB", base)
        top = list(m["by_process_mb"][max(m["per_container_mb"])].items())[:6]
        print("  per container, by process: " + ", ".join(f"{k} {v:.1f}" for k, v in top) + " MB")
        print("  RSS summed instead (shared pages counted in every process): " +
              ", ".join(f"{n}: {v:.1f}" for n, v in m["rss_mb"].items()) + " MB per container")
        worst = max(med(v) for v in m["per_container_mb"].values())
        targets.append(("idle container <= 15 MB", worst, worst <= 15))
        # Its helpers alone: what runs for it besides the compositor and LXC's own init.
        first_by = m["by_process_mb"][first]
        helpers = sum(v for k, v in first_by.items() if k not in not_helpers)
        print("  helpers of 1 container (all but the compositor's share and LXC's init): " + ", ".join(
            f"{k} {v:.1f}" for k, v in first_by.items() if k not in not_helpers) + f" = {helpers:.1f} MB")
        targets.append(("idle container's helpers <= 15 MB", helpers, helpers <= 15))
        if m.get("in_use_mb"):
            print("PSS a running container adds once its audio and Xwayland started (one audio and one X client "
                  "each, ended; baseline: idle, same N)")
            for n, per in m["in_use_mb"].items():
                row(f"{n} containers: per container", per, "MB", med(m["per_container_mb"][n]))
            top = list(m["in_use_by_process_mb"][max(m["in_use_mb"])].items())[:8]
            print("  per container, by process: " + ", ".join(f"{k} {v:.1f}" for k, v in top) + " MB")
            print("  RSS summed instead: " + ", ".join(f"{n}: {v:.1f}" for n, v in m["in_use_rss_mb"].items()) +
                  " MB per container")
    if "scale" in r:
        scaling = r["scale"]
        print("session with N containers x 4 animated windows (baseline: 1 container)")
        first = min(scaling)
        base_cpu = med(scaling[first]["cpu_ms_per_frame"])
        base_rss = med(scaling[first]["rss_mb"])
        for n, c in scaling.items():
            row(f"{n} containers: CPU per frame", c["cpu_ms_per_frame"], "ms", base_cpu)
            row(f"{n} containers: RSS", c["rss_mb"], "MB", base_rss)
    print("targets (a miss is reported, not an error; 'container' has cpu_weight 100 like a host process, "
          "'container50' the policy's default 50)")
    for what, value, met in targets:
        unit = " MB" if "MB" in what else (" ms" if "(ms" in what else "x")
        print(f"  {what}: {value:.2f}{unit} {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
