"""Shared helpers for the end-to-end tests of ikewatchd (python3 standard library only).

Each test is a script that calls `run(main)`. `main(t)` gets a `Test` with a fresh temporary
directory; every process started through it is stopped and the directory removed when the script
ends, whether it passes, fails or is interrupted. The daemon and the CLI come from the IKEWATCHD
and IKEWATCH environment variables (set by tests/e2e/CMakeLists.txt).
"""

import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
SCENARIOS = os.path.join(SOURCE, "tests", "scenarios")
GOLDEN = os.path.join(SOURCE, "tests", "golden")

SEVERITY_ORDER = ["info", "low", "medium", "high", "critical"]


class Failure(Exception):
    """An expectation of the test did not hold."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def die_with_parent():
    # The child gets SIGKILL if the test process dies without cleaning up (ctest timeout).
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def wait_until(what, probe, timeout=20.0, interval=0.05):
    """Polls `probe()` until it returns a true value (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise Failure(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


SKIP = 77  # exit status ctest reports as skipped (SKIP_RETURN_CODE)


def tool(name):
    """Path of an external program; the test is skipped when it is not installed."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not path:
        print(f"SKIP: {name} is not installed", flush=True)
        sys.exit(SKIP)
    return path


_handed_out = set()


def free_port(kind="tcp"):
    """A port the kernel has just handed out on 127.0.0.1 (free at the time of the call), for
    programs that cannot take port 0 and report the one they got. The kernel may hand a closed
    port out again, so a test that asks for several never gets the same one twice."""
    sock_type = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
    for _ in range(1000):
        s = socket.socket(socket.AF_INET, sock_type)
        try:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        finally:
            s.close()
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise Failure("the kernel keeps handing out ports this test already uses")


def _socket_inodes(pid):
    """Inodes of the sockets process `pid` holds open."""
    found = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return found  # the process has exited
    for fd in fds:
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue  # closed since the listing
        if target.startswith("socket:["):
            found.add(target[len("socket:["):-1])
    return found


def port_bound_by(pid, port, kind):
    """True when process `pid` has a socket bound to 127.0.0.1:port or 0.0.0.0:port: listening
    for tcp, any for udp. Another process on the port (a port picked by free_port and taken in
    between) does not count, so a collector that could not bind is not taken for ready."""
    wanted = {f"0100007F:{port:04X}", f"00000000:{port:04X}"}
    with open("/proc/net/tcp" if kind == "tcp" else "/proc/net/udp") as f:
        rows = [l.split() for l in f.readlines()[1:]]
    inodes = {r[9] for r in rows if r[1] in wanted and (kind != "tcp" or r[3] == "0A")}
    return bool(inodes & _socket_inodes(pid)) if inodes else False


# ---------------------------------------------------------------------------------------------
# Scenarios and their expectations (from tests/scenarios and tests/golden)


def scenario_path(prefix):
    """The tests/scenarios file named `prefix-...` (S05 -> S05-tunnel-group-missing.log)."""
    for name in sorted(os.listdir(SCENARIOS)):
        if name.startswith(prefix + "-"):
            return os.path.join(SCENARIOS, name)
    raise Failure(f"no scenario {prefix} in {SCENARIOS}")


def scenario_lines(prefix):
    """The log lines of a scenario, without comments and blank lines."""
    with open(scenario_path(prefix), encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


def expected_code(prefix):
    """The diagnosis code tests/golden/expected-diagnoses.txt lists for a scenario ("none")."""
    name = os.path.basename(scenario_path(prefix))
    with open(os.path.join(GOLDEN, "expected-diagnoses.txt")) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[0] == name:
                return parts[1]
    raise Failure(f"{name} is not in expected-diagnoses.txt")


def expected_peers(prefix, tag):
    """(device, peer) pairs the scenario leaves in the state table, from tests/golden/states.

    The replay names a device after its file unless the lines carry a name of their own (a relay
    prefix such as `172.16.200.253:514 :` or a host after the device's timestamp); sent with
    logger, the tag takes the file's place and such a name still wins.
    """
    name = os.path.basename(scenario_path(prefix))
    pairs = set()
    with open(os.path.join(GOLDEN, "states", name + ".out")) as f:
        for line in f:
            if line.startswith("{"):
                p = json.loads(line)
                pairs.add((tag if p["device"] == name else p["device"], p["peer"]))
    return pairs


# ---------------------------------------------------------------------------------------------
# Sending


def logger_send(port, tag, lines, mode):
    """Sends lines with util-linux logger, one message per line, in one logger run.

    mode: "udp", "tcp-octet" (RFC 6587 octet counting) or "tcp-line" (newline framing).
    """
    cmd = [tool("logger"), "-n", "127.0.0.1", "-P", str(port), "--rfc3164", "-t", tag,
           "--skip-empty"]
    cmd += {"udp": ["-d"], "tcp-octet": ["-T", "--octet-count"], "tcp-line": ["-T"]}[mode]
    data = "".join(l + "\n" for l in lines)
    r = subprocess.run(cmd, input=data.encode(), capture_output=True, timeout=30)
    check(r.returncode == 0, f"logger failed ({r.returncode}): {r.stderr.decode(errors='replace')}")


def syslog_line(tag, text, host="e2ehost"):
    """An RFC 3164 message as logger would send it."""
    return f"<13>{time.strftime('%b %e %H:%M:%S')} {host} {tag}: {text}"


def start_udp_relay(t, rsyslogd, work, config, **values):
    """rsyslogd run in `work` with `config`, a format string given `work`, `port` (the UDP port it
    listens on, picked here) and `values`; returns (process, port) once it listens."""
    port = free_port("udp")
    conf = os.path.join(work, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write(config.format(work=work, port=port, **values))
    log = open(os.path.join(work, "rsyslogd.log"), "w")
    proc = subprocess.Popen([rsyslogd, "-n", "-f", conf, "-i", os.path.join(work, "pid")],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=die_with_parent)
    log.close()
    t.processes.append(proc)

    def ready():
        if proc.poll() is not None:
            with open(os.path.join(work, "rsyslogd.log")) as f:
                raise Failure(f"rsyslogd exited with {proc.returncode}:\n{f.read()}")
        return port_bound_by(proc.pid, port, "udp")

    wait_until(f"rsyslogd to listen on udp {port}", ready, 20)
    return proc, port


def udp_send(port, messages, source="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        for m in messages:
            s.sendto(m if isinstance(m, bytes) else m.encode(), ("127.0.0.1", port))


def udp_socket_stats(port):
    """(rx_queue bytes, drops) of the UDP socket bound to 127.0.0.1:port, from /proc/net/udp:
    what waits in its receive buffer (each datagram counts its kernel buffer, ~1.3 KB for a short
    one) and how many datagrams the kernel dropped because the buffer was full."""
    wanted = f"0100007F:{port:04X}"
    # The kernel writes the table a page at a time; while other sockets open and close between
    # two pages, a socket can be left out of one reading: read it again before giving up.
    for _ in range(20):
        with open("/proc/net/udp") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1] == wanted:
                    return int(fields[4].split(":")[1], 16), int(fields[-1])
        time.sleep(0.005)
    raise Failure(f"no UDP socket on 127.0.0.1:{port}")


def udp_send_paced(port, messages, source="127.0.0.1", rcvbuf=200 * 1024):
    """Sends datagrams without overrunning the receiver's buffer (`rcvbuf`, its SO_RCVBUF as
    getsockopt reports it): waits while its queue is over half full. Returns the kernel's drops."""
    _, drops = udp_socket_stats(port)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        for i, m in enumerate(messages):
            if i % 32 == 0:
                while udp_socket_stats(port)[0] > rcvbuf // 2:
                    time.sleep(0.0002)
            s.sendto(m if isinstance(m, bytes) else m.encode(), ("127.0.0.1", port))
    return udp_socket_stats(port)[1] - drops


def tcp_send(port, messages, framing="octet"):
    """Sends messages over one TCP connection and closes it cleanly.

    framing: "octet" (RFC 6587 octet counting), "line" (newline after each) or "raw" (as is).
    """
    frame = {"octet": lambda b: b"%d %s" % (len(b), b), "line": lambda b: b + b"\n",
             "raw": lambda b: b}[framing]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        for m in messages:
            s.sendall(frame(m if isinstance(m, bytes) else m.encode()))
        s.shutdown(socket.SHUT_WR)


def closed_by_peer(s):
    """True once the daemon has closed its end of the connection."""
    try:
        s.settimeout(0.05)
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


# ---------------------------------------------------------------------------------------------
# Alert logs


def read_alerts(*paths, writing=False):
    """Every alert in the given alert logs (JSON lines; a missing file has none). While the
    writer runs (`writing`), a last line without its newline is a write still under way and is
    left for the next read; otherwise it is an error like any other broken line."""
    out = []
    for p in paths:
        if not os.path.exists(p):
            continue
        with open(p, "rb") as f:
            for n, line in enumerate(f, 1):
                if writing and not line.endswith(b"\n"):
                    break
                if line.strip():
                    try:
                        out.append(json.loads(line.decode("utf-8")))
                    except (UnicodeDecodeError, json.JSONDecodeError) as e:
                        raise Failure(f"{p}:{n}: not a UTF-8 JSON line ({e}): {line[:200]!r}")
    return out


def summary(alert):
    return (alert["event"]["action"], alert["rule"]["id"], alert["rule"]["severity"],
            alert["diagnosis"]["code"], alert["observer"]["hostname"], alert["ike"].get("peer"))


def raised(alerts, device=None, code=None):
    return [a for a in alerts if a["event"]["action"] == "raised"
            and (device is None or a["observer"]["hostname"] == device)
            and (code is None or a["diagnosis"]["code"] == code)]


def above_info(alerts):
    return [a for a in alerts if SEVERITY_ORDER.index(a["rule"]["severity"]) > 0]


# ---------------------------------------------------------------------------------------------
# The daemon


class Daemon:
    """One ikewatchd on 127.0.0.1 ports the kernel picks; its stderr goes to a file."""

    def __init__(self, test, name="ikewatchd", config=None, udp=True, tcp=True, rules=None):
        self.test = test
        self.name = name
        self.dir = os.path.join(test.tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.alert_log = os.path.join(self.dir, "alerts.json")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.config_path = None
        if config is not None:
            self.config_path = os.path.join(self.dir, "ikewatch.yaml")
            with open(self.config_path, "w") as f:
                f.write(config)
        self.want_udp, self.want_tcp = udp, tcp
        self.rules = rules
        self.proc = None
        self.udp_port = self.tcp_port = self.status_port = None

    def args(self):
        # Port 0 everywhere: the kernel picks free ports, read back from the daemon's log.
        a = [self.test.ikewatchd]
        if self.config_path:
            a += ["--config", self.config_path]
        if self.want_udp:
            a += ["--udp", "127.0.0.1:0"]
        if self.want_tcp:
            a += ["--tcp", "127.0.0.1:0"]
        a += ["--status", "127.0.0.1:0", "--alert-log", self.alert_log]
        if os.geteuid() == 0:
            a += ["--allow-root"]  # CI runs as root; the daemon refuses that unless told
        for r in ([self.rules] if isinstance(self.rules, str) else self.rules or []):
            a += ["--rules", r]
        return a

    def start(self):
        with open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(self.args(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err,
                                         preexec_fn=die_with_parent)
        self.test.processes.append(self.proc)
        wait_until("the daemon to listen or exit", lambda: (
            self.proc.poll() is not None or "status endpoint on" in self.stderr()), 30)
        check(self.proc.poll() is None,
              f"{self.name} exited with {self.proc.returncode} at start:\n{self.stderr()}")
        log = self.stderr()
        if self.want_udp:
            self.udp_port = int(re.search(r"listening on udp (\d+)", log).group(1))
        if self.want_tcp:
            self.tcp_port = int(re.search(r"listening on tcp (\d+)", log).group(1))
        self.status_port = int(re.search(r"status endpoint on http://[^:]+:(\d+)/", log).group(1))
        wait_until("/healthz", lambda: self.healthz() == "ok", 10)
        return self

    def stderr(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def get(self, path, timeout=5):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.status_port}{path}",
                                    timeout=timeout) as r:
            return r.read().decode()

    def healthz(self):
        try:
            return self.get("/healthz").strip()
        except OSError:  # refused, reset, timed out (URLError is an OSError)
            return None

    def peers(self):
        return {(p["device"], p["peer"]): p for p in json.loads(self.get("/peers"))}

    def metrics(self):
        """{'name{labels}': value} from /metrics, names without the ikewatch_ prefix."""
        out = {}
        for line in self.get("/metrics").splitlines():
            if line and not line.startswith("#"):
                key, value = line.rsplit(" ", 1)
                out[key.removeprefix("ikewatch_")] = int(value)
        return out

    def metric(self, key):
        m = self.metrics()
        check(key in m, f"metric {key} not exported (have: {', '.join(sorted(m))})")
        return m[key]

    def wait_metric(self, key, at_least, timeout=20):
        """Waits until a counter reaches `at_least` (>= 1); returns its value then."""
        return wait_until(f"{key} >= {at_least}",
                          lambda: (v := self.metric(key)) >= at_least and v, timeout)

    def alerts(self):
        return read_alerts(self.alert_log, writing=self.proc.poll() is None)

    def wait_alert(self, device, code, timeout=20):
        """Waits for a raised alert with this code for this device; returns the first one."""
        return wait_until(f"alert {code} for {device}",
                          lambda: raised(self.alerts(), device, code), timeout)[0]

    def signal(self, signo):
        os.kill(self.proc.pid, signo)

    def rss_kb(self):
        return self._status_kb("VmRSS")

    def peak_rss_kb(self):
        """The highest resident memory since the daemon started (VmHWM)."""
        return self._status_kb("VmHWM")

    def _status_kb(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M).group(1))

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"{self.name} did not exit within {timeout}s of SIGTERM")


# ---------------------------------------------------------------------------------------------
# Test runner


class Test:
    def __init__(self, name):
        self.name = name
        self.ikewatchd = os.environ.get("IKEWATCHD") or os.path.join(
            SOURCE, "build", "debug", "daemon", "ikewatchd")
        self.ikewatch = os.environ.get("IKEWATCH") or os.path.join(
            SOURCE, "build", "debug", "cli", "ikewatch")
        self.tmp = tempfile.mkdtemp(prefix=f"ikewatch-e2e-{name}-")
        self.processes = []
        self.daemons = []
        self.started = time.monotonic()

    def daemon(self, **kw):
        d = Daemon(self, **kw)
        self.daemons.append(d)
        return d.start()

    def finish(self):
        """Every daemon still running stops cleanly on SIGTERM; no sanitizer reported anything."""
        for d in self.daemons:
            if d.alive():
                check(d.stop() == 0, f"{d.name}: exit status {d.proc.returncode} after SIGTERM")
            log = d.stderr()
            check("Sanitizer" not in log and "runtime error:" not in log,
                  f"{d.name}: sanitizer report on stderr")

    def step(self, text):
        print(f"[{time.monotonic() - self.started:6.2f}s] {text}", flush=True)

    def cleanup(self):
        for p in self.processes:
            if p.poll() is None:
                p.terminate()
        for p in self.processes:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def dump(self):
        for d in self.daemons:
            if not os.path.exists(d.stderr_path):
                continue
            print(f"--- {d.name} stderr (last 40 lines)")
            print("\n".join(d.stderr().splitlines()[-40:]))
            try:
                alerts = read_alerts(d.alert_log)
            except Failure as e:
                print(f"--- {d.name} alert log: {e}")
                continue
            print(f"--- {d.name} alert log: {len(alerts)} alerts (last 20)")
            for a in alerts[-20:]:
                print("   ", summary(a))


def run(main):
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    t = Test(name)

    def on_signal(signo, _frame):
        raise SystemExit(128 + signo)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    status = 1
    try:
        main(t)
        t.finish()
        status = 0
        t.step(f"PASS {name}")
    except Failure as e:
        print(f"FAIL {name}: {e}", flush=True)
        t.dump()
    except Exception:
        traceback.print_exc()
        t.dump()
    finally:
        t.cleanup()
    sys.exit(status)
