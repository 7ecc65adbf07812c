#!/usr/bin/env python3
"""ctopbroker benchmarks: one run, one machine, one client, one output size.

Starts a headless ctopbroker session (pixman, 1280x720, refresh raised so the
compositor, not a 60 Hz timer, is the limit), then measures with the same
client (bench/frame_client) everywhere:

- frame throughput and commit->frame-done latency: on the host socket, inside
  an LXC container through its private socket, and through waypipe;
- spawn latency to the first drawn frame: the client started directly on the
  host socket, `ctopbroker spawn` into a running (warm) container, and into a
  stopped (cold) one.

Every figure is min/median/max over --repeat runs, with the median's ratio to
its baseline. Needs root (LXC). Usage: scripts/run bench [--repeat N]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

WIDTH, HEIGHT, REFRESH = 1280, 720, 1000


class Session:
    def __init__(self, build):
        self.bin = os.path.join(build, "broker", "ctopbroker")
        self.client = os.path.join(build, "bench", "frame_client")
        self.runtime = tempfile.mkdtemp(prefix="ctopbroker-bench-")
        os.chmod(self.runtime, 0o700)
        self.lxcpath = tempfile.mkdtemp(prefix="ctopbroker-bench-lxc-", dir="/var/tmp")
        os.chmod(self.lxcpath, 0o711)
        self.out = tempfile.mkdtemp(prefix="ctopbroker-bench-out-", dir="/var/tmp")
        os.chmod(self.out, 0o777)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=self.runtime, XDG_CONFIG_HOME=os.path.join(self.runtime, "config"),
                        CTOPBROKER_LXCPATH=self.lxcpath)
        for var in ("WAYLAND_DISPLAY", "DISPLAY", "WAYLAND_SOCKET"):
            self.env.pop(var, None)
        log = open(os.path.join(self.runtime, "session.log"), "w")
        self.proc = subprocess.Popen([self.bin, "session", "--headless", "--size", str(WIDTH), "--height",
                                      str(HEIGHT), "--refresh", str(REFRESH)], env=self.env, stdout=log, stderr=log)
        for _ in range(100):
            if self.ctl("status", check=False).returncode == 0:
                break
            time.sleep(0.05)
        status = json.loads(self.ctl("status", "--json").stdout)
        self.env["WAYLAND_DISPLAY"] = status["wayland_display"]
        self.containers = []

    def ctl(self, *args, check=True):
        return subprocess.run([self.bin, *args], env=self.env, capture_output=True, text=True, check=check)

    def create(self, name):
        bench_dir = os.path.dirname(self.client)
        self.ctl("create", name, "--privileged", "--share", f"{bench_dir}:/opt/bench",
                 "--share", f"{self.out}:/opt/out:rw")
        self.containers.append(name)

    def close(self):
        for name in self.containers:
            self.ctl("destroy", name, check=False)
        self.ctl("quit", check=False)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        for d in (self.runtime, self.lxcpath, self.out):
            shutil.rmtree(d, ignore_errors=True)


def client_args(frames, warmup):
    return ["--frames", str(frames), "--warmup", str(warmup), "--size", f"{WIDTH}x{HEIGHT}"]


def run_host(s, frames, warmup, prefix=()):
    # Frame callbacks go only to what is on screen: the host's workspace.
    s.ctl("workspace", "host")
    r = subprocess.run([*prefix, s.client, *client_args(frames, warmup)], env=s.env, capture_output=True, text=True,
                       check=True, timeout=120)
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_in_container(s, name, frames, warmup):
    """`ctopbroker spawn`s the client; returns its report and when spawn was called."""
    out = os.path.join(s.out, f"{name}.json")
    if os.path.exists(out):
        os.unlink(out)
    # Its window draws only once its workspace is on screen: switch first when
    # the container runs (warm), right after the spawn when it did not (cold).
    warm = s.ctl("workspace", name, check=False).returncode == 0
    t0 = time.monotonic_ns()
    s.ctl("spawn", name, "--", "/opt/bench/frame_client", *client_args(frames, warmup), "--out",
          f"/opt/out/{name}.json")
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


def spread(values):
    return min(values), statistics.median(values), max(values)


def row(label, values, unit, baseline=None, higher_is_better=True):
    lo, med, hi = spread(values)
    ratio = ""
    if baseline:
        ratio = f"{med / baseline:6.2f}x" if higher_is_better else f"{med / baseline:6.2f}x"
    print(f"  {label:<34} {lo:9.2f} {med:9.2f} {hi:9.2f} {unit:<6} {ratio}")
    return med


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--json", help="also write the raw figures here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: needs root (it creates LXC containers)")
    for tool in ("waypipe",):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is not installed (scripts/run bench installs it)")

    s = Session(os.path.abspath(args.build))
    results = {}
    try:
        s.create("bench")
        s.ctl("spawn", "bench", "--", "true")  # start it once: "warm" from here on
        warm = args.frames // 10
        fps = {"host": [], "container": [], "waypipe": []}
        lat = {"host": [], "container": [], "waypipe": []}
        for _ in range(args.repeat):
            for key, run in (("host", lambda: run_host(s, args.frames, warm)),
                             ("container", lambda: run_in_container(s, "bench", args.frames, warm)[0]),
                             ("waypipe", lambda: with_waypipe(s, args.frames, warm))):
                r = run()
                fps[key].append(r["fps"])
                lat[key].append(r["latency_ms"]["median"])

        spawn = {"host": [], "warm": [], "cold": []}
        for _ in range(args.repeat):
            t0 = time.monotonic_ns()
            r = run_host(s, 1, 0)
            spawn["host"].append((r["first_present_ns"] - t0) / 1e6)
            r, t0 = run_in_container(s, "bench", 1, 0)
            spawn["warm"].append((r["first_present_ns"] - t0) / 1e6)
            s.ctl("stop", "bench")
            r, t0 = run_in_container(s, "bench", 1, 0)
            spawn["cold"].append((r["first_present_ns"] - t0) / 1e6)
        results = {"fps": fps, "latency_ms": lat, "spawn_ms": spawn}
    finally:
        s.close()

    print(f"ctopbroker benchmarks: {WIDTH}x{HEIGHT} shm frames, headless pixman output at {REFRESH} Hz, "
          f"{args.repeat} runs of {args.frames} frames, {os.cpu_count()} cores")
    print(f"  {'':<34} {'min':>9} {'median':>9} {'max':>9} {'unit':<6} vs baseline")
    print("frame throughput (higher is better; baseline: host socket)")
    base = row("host socket", fps["host"], "fps")
    row("container (private socket)", fps["container"], "fps", base)
    row("waypipe (host)", fps["waypipe"], "fps", base)
    print("commit -> frame done, median per run (lower is better; baseline: host socket)")
    base = row("host socket", lat["host"], "ms")
    row("container (private socket)", lat["container"], "ms", base, False)
    row("waypipe (host)", lat["waypipe"], "ms", base, False)
    print("start -> first frame drawn (lower is better; baseline: client started on the host socket)")
    base = row("host socket, direct", spawn["host"], "ms")
    row("ctopbroker spawn, warm container", spawn["warm"], "ms", base, False)
    row("ctopbroker spawn, cold container", spawn["cold"], "ms", base, False)
    med = statistics.median
    print("targets")
    print(f"  container >= 0.95x host throughput: {med(fps['container']) / med(fps['host']):.2f}x")
    print(f"  container >= 5x waypipe throughput: {med(fps['container']) / med(fps['waypipe']):.2f}x")
    print(f"  warm spawn <= 1.1x host-direct start: {med(spawn['warm']) / med(spawn['host']):.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
