"""Shared parts of the forwarding end-to-end tests (python3 standard library only).

- `Pki`, `make_certs`: test CAs and the certificates they issue (a server certificate for
  127.0.0.1 and localhost, client certificates), made with the openssl command.
- `Collector`: a real rsyslogd on 127.0.0.1 as the SIEM's collector. One input per forwarder
  (UDP, TCP with RFC 6587 octet counting, TLS per RFC 5425 with or without client
  certificates), each writing the message exactly as received (`%rawmsg%`) to its own file.
- `render`: what a forwarder must send for an alert, computed here from the alert JSON of the
  daemon's alert log and the escaping rules of each format — RFC 5424 (SD-PARAM values escape
  `"`, `\\` and `]`), CEF (header fields escape `|` and `\\`; extension values `=`, `\\`, and
  newlines as `\\n` / `\\r`), LEEF 2.0 (delimiter `^`; values escape `^`, `\\`, newlines and
  tabs) and JSON. Control characters the format has no escape for become the visible text
  `\\xNN`.
- `parse`: reads a received record back with a parser written from the same specifications,
  so a value that broke out of its field (an injected CEF key, a forged SD parameter) is seen
  as such, whatever the rendering said.
"""

import calendar
import glob
import ipaddress
import json
import os
import re
import socket
import subprocess

from lib import (SKIP, Daemon, Failure, check, die_with_parent, free_port, tool,
                 port_bound_by, wait_until)

FORMATS = ("rfc5424", "cef", "leef", "json")
FACILITY = 20  # local4
MAX_EVIDENCE = 8
MAX_LINE = 512
SYSLOG_SEVERITY = {"critical": 2, "high": 3, "medium": 4, "low": 5, "info": 6}
CEF_SEVERITY = {"critical": 10, "high": 8, "medium": 5, "low": 3, "info": 1}
RESOLVED_SYSLOG, RESOLVED_CEF = 5, 1
UDP_BUFFER = "8m"


# ---------------------------------------------------------------------------------------------
# Certificates


class Pki:
    """Certificates made with the openssl command in `t.tmp/<name>`: EC P-256 keys, CAs and the
    certificates they issue, valid for two days."""

    def __init__(self, t, name="pki"):
        self.openssl = tool("openssl")
        self.dir = os.path.join(t.tmp, name)
        os.makedirs(self.dir)
        self.serial = 1

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *args):
        r = subprocess.run([self.openssl, *args], capture_output=True, cwd=self.dir, timeout=60)
        check(r.returncode == 0, f"openssl {args[0]} failed: {r.stderr.decode(errors='replace')}")

    EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def ca(self, name, subject):
        """A self-signed CA: writes name.pem and name.key; returns the name."""
        self.run("req", "-x509", *self.EC, "-keyout", self.path(name + ".key"),
                 "-out", self.path(name + ".pem"), "-days", "2", "-subj", subject,
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return name

    def issue(self, ca, name, subject, ext):
        """A certificate `ca` signs, with the extension lines `ext` (server or client use, alt
        names): writes name.pem and name.key; returns their paths."""
        self.serial += 1
        with open(self.path(name + ".ext"), "w") as f:
            f.write(ext + "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n")
        self.run("req", *self.EC, "-keyout", self.path(name + ".key"), "-out", name + ".csr",
                 "-subj", subject)
        self.run("x509", "-req", "-in", name + ".csr", "-CA", self.path(ca + ".pem"),
                 "-CAkey", self.path(ca + ".key"), "-set_serial", str(self.serial), "-days", "2",
                 "-out", self.path(name + ".pem"), "-extfile", name + ".ext")
        return self.path(name + ".pem"), self.path(name + ".key")


SERVER_EXT = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
CLIENT_EXT = "extendedKeyUsage=clientAuth\n"


def make_certs(t):
    """A CA, a server certificate (127.0.0.1, localhost) and a client certificate in t.tmp."""
    pki = Pki(t)
    pki.ca("ca", "/CN=ikewatch e2e CA")
    pki.issue("ca", "server", "/CN=ikewatch e2e server", SERVER_EXT)
    pki.issue("ca", "client", "/CN=ikewatch e2e client", CLIENT_EXT)
    return {n: pki.path(n) for n in ("ca.pem", "ca.key", "server.pem", "server.key",
                                     "client.pem", "client.key")}


# ---------------------------------------------------------------------------------------------
# The collector


class Collector:
    """rsyslogd with one input per name: kind is udp, tcp, tls or tls-client (TLS that demands a
    client certificate signed by the test CA). What each input receives goes, byte for byte and
    one message per line, to its own file. Ports stay the same across restarts."""

    def __init__(self, t, inputs, certs=None, name="rsyslog", template="%rawmsg%\\n"):
        self.t = t
        self.template = template
        self.rsyslogd = tool("rsyslogd")
        self.dir = os.path.join(t.tmp, name)
        os.makedirs(os.path.join(self.dir, "work"))
        self.inputs = dict(inputs)
        if any(k.startswith("tls") for k in self.inputs.values()):
            check(certs is not None, "TLS inputs need certificates")
            if not gtls_module():
                print("SKIP: rsyslog's TLS driver (lmnsd_gtls, Debian package rsyslog-gnutls) is "
                      "not installed", flush=True)
                raise SystemExit(SKIP)
        self.ports = {n: free_port("udp" if k == "udp" else "tcp") for n, k in self.inputs.items()}
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        with open(self.conf, "w") as f:
            f.write(self._config(certs))
        self.proc = None

    def _config(self, certs):
        g = f'global(workDirectory="{self.dir}/work" maxMessageSize="1m"'
        if certs:
            g += (f' defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile="{certs["ca.pem"]}"'
                  f' defaultNetstreamDriverCertFile="{certs["server.pem"]}"'
                  f' defaultNetstreamDriverKeyFile="{certs["server.key"]}"')
        out = [g + ")", f'template(name="raw" type="string" string="{self.template}")']
        kinds = set(self.inputs.values())
        if "udp" in kinds:
            out.append('module(load="imudp")')
        if kinds - {"udp"}:
            out.append('module(load="imtcp" maxSessions="1000")')
        for n, k in self.inputs.items():
            common = f'address="127.0.0.1" port="{self.ports[n]}" ruleset="{n}"'
            if k == "udp":
                # UDP has no flow control: a forwarder flushing its backlog after an outage
                # sends hundreds of KiB at once, more than the default 208 KiB buffer holds (a
                # collector for bursts is sized so; rsyslog forces the size when run as root).
                out.append(f'input(type="imudp" {common} rcvbufSize="{UDP_BUFFER}")')
            elif k == "tcp":
                out.append(f'input(type="imtcp" {common} streamDriver.name="ptcp")')
            else:
                auth = "anon" if k == "tls" else "x509/certvalid"
                out.append(f'input(type="imtcp" {common} streamDriver.name="gtls" '
                           f'streamDriver.mode="1" streamDriver.authMode="{auth}")')
            out.append(f'ruleset(name="{n}") {{ action(type="omfile" file="{self.file(n)}" '
                       f'template="raw") }}')
        return "\n".join(out) + "\n"

    def file(self, name):
        return os.path.join(self.dir, name + ".log")

    def url(self, name, host="127.0.0.1"):
        scheme = {"udp": "udp", "tcp": "tcp", "tls": "tls", "tls-client": "tls"}[self.inputs[name]]
        return f"{scheme}://{host}:{self.ports[name]}"

    def start(self):
        log = open(os.path.join(self.dir, "rsyslogd.log"), "a")
        self.proc = subprocess.Popen(
            [self.rsyslogd, "-n", "-f", self.conf, "-i", os.path.join(self.dir, "pid")],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent)
        log.close()
        self.t.processes.append(self.proc)

        def ready():
            if self.proc.poll() is not None:
                raise Failure(f"rsyslogd exited with {self.proc.returncode}:\n{self.log()}")
            return all(port_bound_by(self.proc.pid, p, "udp" if self.inputs[n] == "udp" else "tcp")
                       for n, p in self.ports.items())

        wait_until("rsyslogd to listen on every input", ready, 20)
        return self

    def stop(self, crash=False):
        """SIGTERM (rsyslogd writes what it holds), or SIGKILL: a crash that loses what sits in
        its socket buffers and queues."""
        if crash:
            self.proc.kill()
            self.proc.wait(20)
            self._drop_torn_tails()
            return
        self.proc.terminate()
        check(self.proc.wait(20) == 0, f"rsyslogd exited with {self.proc.returncode}")

    def _drop_torn_tails(self):
        """omfile writes its buffer in chunks that may end inside a record; a SIGKILL loses the
        rest of that record. What a crashed collector kept is its complete lines: cut the torn
        tail, or the next run's first record would be glued onto it. (A record lost so was not
        kept by the collector: the forwarder must send it again, which the tests check.)"""
        for name in self.inputs:
            try:
                with open(self.file(name), "r+b") as f:
                    data = f.read()
                    f.truncate(data.rfind(b"\n") + 1)
            except FileNotFoundError:
                pass

    def log(self):
        with open(os.path.join(self.dir, "rsyslogd.log"), errors="replace") as f:
            return f.read()

    def records(self, name):
        """The messages received on an input so far (complete lines only), as bytes."""
        try:
            with open(self.file(name), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        return data[:data.rfind(b"\n") + 1].split(b"\n")[:-1]


def gtls_module():
    """rsyslog's GnuTLS network stream driver, wherever the distribution puts modules."""
    return [p for pattern in ("/usr/lib/rsyslog", "/usr/lib/*/rsyslog", "/usr/lib64/rsyslog")
            for p in glob.glob(pattern + "/lmnsd_gtls.so")]


# ---------------------------------------------------------------------------------------------
# The daemon with forwarders


def forwarding_daemon(t, forwarders, name="ikewatchd", state_dir=None, extra_args=()):
    """A running ikewatchd whose configuration holds `forwarders` (dicts as in the
    `forwarders:` section) and `state_dir`."""
    config = "forwarders:\n" + "".join(f"  - {json.dumps(f)}\n" for f in forwarders)
    if state_dir:
        config += f"state_dir: {json.dumps(state_dir)}\n"
    d = ForwardingDaemon(t, name=name, config=config, extra_args=extra_args)
    t.daemons.append(d)
    return d.start()


class ForwardingDaemon(Daemon):
    def __init__(self, t, extra_args=(), **kw):
        super().__init__(t, **kw)
        self.extra_args = list(extra_args)

    def args(self):
        return super().args() + self.extra_args

    def kill(self):
        self.proc.kill()
        self.proc.wait(10)

    def forward_metric(self, forwarder, outcome=None, family="forward_alerts_total"):
        key = (f'{family}{{forwarder="{forwarder}",outcome="{outcome}"}}' if outcome else
               f'{family}{{forwarder="{forwarder}"}}')
        return self.metric(key)

    def alert_lines(self):
        """[(raw line without its newline, parsed alert)] from the alert log; a last line still
        being written (no newline yet) is left for the next call."""
        if not os.path.exists(self.alert_log):
            return []
        with open(self.alert_log, "rb") as f:
            data = f.read()
        data = data[:data.rfind(b"\n") + 1]
        return [(l, json.loads(l.decode("utf-8"))) for l in data.split(b"\n") if l]


# ---------------------------------------------------------------------------------------------
# Log lines for the daemon


def asa_line(host, msg_id, text, stamp="Dec 19 15:49:51", pri=166):
    """A Cisco ASA syslog message, as bytes (`text` may hold any bytes)."""
    head = f"<{pri}>{stamp} {host} : %ASA-{msg_id}: ".encode()
    return head + (text if isinstance(text, bytes) else text.encode())


def no_tunnel_group(host, peer, group=b"g", stamp="Dec 19 15:49:51"):
    """One line that raises IKW-P1-031 (tunnel-group-or-psk-missing, high) for host/peer; the
    group name is carried into ike.group and the evidence."""
    group = group if isinstance(group, bytes) else group.encode()
    return asa_line(host, "3-713902", b"Group = " + group + f", IP = {peer}, Can't find a valid "
                    "tunnel group, aborting...!".encode(), stamp)


def phase1_completed(host, peer, stamp="Dec 19 15:49:55"):
    """Resolves IKW-P1-031 for host/peer."""
    return asa_line(host, "5-713119", f"Group = g, IP = {peer}, PHASE 1 COMPLETED", stamp)


def peer_address(i, base=(10, 77)):
    return f"{base[0]}.{base[1]}.{i // 250}.{i % 250 + 1}"


def tcp_octet_frames(messages):
    return b"".join(b"%d %s" % (len(m), m) for m in messages)


def send_tcp(port, messages):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(tcp_octet_frames(messages))
        s.shutdown(socket.SHUT_WR)


def send_udp(port, messages):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for m in messages:
            s.sendto(m, ("127.0.0.1", port))


# ---------------------------------------------------------------------------------------------
# Rendering from the alert JSON, by the formats' rules


def layout_control(c):
    """Code points that change how text is shown: C0 controls, DEL, C1 controls, the line and
    paragraph separators and the bidirectional formatting characters."""
    o = ord(c)
    return (o < 0x20 or 0x7F <= o <= 0x9F or o in (0x2028, 0x2029, 0x061C, 0x200E, 0x200F)
            or 0x202A <= o <= 0x202E or 0x2066 <= o <= 0x2069)


def visible(text, keep=""):
    """Layout controls (other than those in `keep`) as the text `\\xNN` (ASCII) or `\\uNNNN`."""
    return "".join(c if c in keep or not layout_control(c) else
                   f"\\x{ord(c):02X}" if ord(c) < 0x80 else f"\\u{ord(c):04X}" for c in text)


def escape_with(text, specials, named=None):
    named = named or {}
    return "".join(named[c] if c in named else "\\" + c if c in specials else c for c in text)


def sd_value(text):  # RFC 5424 6.3.3: '"', '\' and ']' MUST be escaped
    return escape_with(visible(text), '"\\]')


def cef_header(text):  # CEF: '|' and '\' in header fields
    return escape_with(visible(text), "|\\")


def cef_value(text):  # CEF: '=' and '\' in extension values; CR and LF as \r and \n
    return escape_with(visible(text, "\r\n"), "=\\", {"\n": "\\n", "\r": "\\r"})


def leef_value(text):  # LEEF 2.0 with '^' as the delimiter: '^' and '\'; LF and TAB as \n, \t
    return escape_with(visible(text, "\n\t"), "^\\", {"\n": "\\n", "\t": "\\t"})


def header_token(text, limit):
    """RFC 5424 header field: printable US-ASCII without space, at most `limit` octets."""
    out = bytes(b if 32 < b < 127 else ord("_") for b in text.encode()[:limit]).decode()
    return out or "-"


def cut(text, limit=MAX_LINE):
    """At most `limit` UTF-8 bytes, not ending inside a character."""
    b = text.encode()
    if len(b) <= limit:
        return text
    n = limit
    while n > limit - 3 and (b[n] & 0xC0) == 0x80:
        n -= 1
    return b[:n].decode()


def epoch_ms(rfc3339):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z", rfc3339)
    check(m, f"not an RFC 3339 UTC time with milliseconds: {rfc3339!r}")
    v = [int(x) for x in m.groups()]
    return str(calendar.timegm((v[0], v[1], v[2], v[3], v[4], v[5], 0, 0, 0)) * 1000 + v[6])


def json_line(alert):
    """The alert JSON as the daemon writes it: keys sorted, no spaces, UTF-8, and every layout
    control escaped as \\uXXXX (JSON itself requires it only below U+0020)."""
    text = json.dumps(alert, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "".join(f"\\u{ord(c):04x}" if layout_control(c) else c for c in text)


class Facts:
    """What the formats take from one alert JSON object."""

    def __init__(self, a):
        self.a = a
        self.raised = a["event"]["action"] == "raised"
        self.severity = a["rule"]["severity"]
        self.device = a["observer"]["hostname"]
        self.rule_id = a["rule"]["id"]
        prefix = f"{self.rule_id}/{self.device}/"
        check(a["alert"]["id"].startswith(prefix),
              f"alert.id {a['alert']['id']!r} does not start with {prefix!r}")
        self.key = a["alert"]["id"][len(prefix):]
        self.peer_key = "source" not in a and a["ike"]["peer"] is not None
        if self.peer_key:
            check(self.key == a["ike"]["peer"], f"alert.id key {self.key!r} is not ike.peer")
        elif "source" in a:
            check(self.key == a["source"]["address"], "alert.id key is not source.address")
        try:
            ipaddress.ip_address(self.key)
            self.key_is_ip = True
        except ValueError:
            self.key_is_ip = False
        self.state = a["ike"]["state"] or ""
        self.created = a["event"]["created"]
        self.evidence = [cut(e["line"]) for e in a["evidence"][:MAX_EVIDENCE]]
        self.checks = " / ".join(a["diagnosis"]["checks"])
        self.syslog_sev = SYSLOG_SEVERITY[self.severity] if self.raised else RESOLVED_SYSLOG
        self.cef_sev = CEF_SEVERITY[self.severity] if self.raised else RESOLVED_CEF

    def sd_params(self):
        a = self.a
        p = [("action", a["event"]["action"]), ("alert_id", a["alert"]["id"]),
             ("rule_id", self.rule_id), ("rule_version", str(a["rule"]["version"])),
             ("code", a["diagnosis"]["code"]), ("severity", self.severity),
             ("device", self.device), ("peer" if self.peer_key else "key", self.key),
             ("device_time", a["@timestamp"]), ("count", str(a["alert"]["count"]))]
        if self.state:
            p.append(("state", self.state))
        return p

    def cef_header(self, version):
        return ["ikewatch", "ikewatch", version, self.rule_id, self.a["message"],
                str(self.cef_sev)]

    def cef_extension(self):
        a = self.a
        e = [("rt", epoch_ms(self.created)), ("start", epoch_ms(a["@timestamp"])),
             ("act", a["event"]["action"]), ("cat", a["diagnosis"]["code"]),
             ("externalId", a["alert"]["id"]), ("dvchost", self.device)]
        if self.key_is_ip:
            e.append(("dst" if self.peer_key else "src", self.key))
        return e + [("msg", a["diagnosis"]["cause"]), ("cs1Label", "checks"), ("cs1", self.checks),
                    ("cs2Label", "evidence"), ("cs2", "\n".join(self.evidence)),
                    ("cs3Label", "ikeState"), ("cs3", self.state),
                    ("cs4Label", "confidence"), ("cs4", a["diagnosis"]["confidence"]),
                    ("cn1Label", "count"), ("cn1", str(a["alert"]["count"])),
                    ("cn2Label", "ruleVersion"), ("cn2", str(a["rule"]["version"]))]

    def leef_attributes(self):
        a = self.a
        e = [("devTime", a["@timestamp"]), ("devTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX"),
             ("sev", str(self.cef_sev)), ("cat", a["diagnosis"]["code"]),
             ("action", a["event"]["action"]), ("alertId", a["alert"]["id"]),
             ("ruleVersion", str(a["rule"]["version"])), ("identHostName", self.device)]
        e.append(("dst" if self.peer_key else "src", self.key) if self.key_is_ip else
                 ("key", self.key))
        return e + [("ikeState", self.state), ("msg", a["message"]),
                    ("cause", a["diagnosis"]["cause"]), ("checks", self.checks),
                    ("evidence", "\n".join(self.evidence)), ("count", str(a["alert"]["count"])),
                    ("sentTime", self.created)]


def render(alert, fmt, hostname, version):
    """The record a forwarder in format `fmt` must send for this alert (bytes, no framing)."""
    f = Facts(alert)
    if fmt == "json":
        return json_line(alert).encode()
    if fmt == "rfc5424":
        sd = "[ikewatch@32473" + "".join(f' {k}="{sd_value(v)}"' for k, v in f.sd_params()) + "]"
        if f.evidence:
            sd += "[evidence@32473" + "".join(f' line="{sd_value(l)}"' for l in f.evidence) + "]"
        return (f"<{FACILITY * 8 + f.syslog_sev}>1 {f.created} {header_token(hostname, 255)} "
                f"ikewatch - {header_token(f.rule_id, 32)} {sd} {json_line(alert)}").encode()
    if fmt == "cef":
        return ("CEF:0|" + "|".join(cef_header(h) for h in f.cef_header(version)) + "|" +
                " ".join(f"{k}={cef_value(v)}" for k, v in f.cef_extension())).encode()
    if fmt == "leef":
        return (f"LEEF:2.0|ikewatch|ikewatch|{cef_header(version)}|{cef_header(f.rule_id)}|^|" +
                "^".join(f"{k}={leef_value(v)}" for k, v in f.leef_attributes())).encode()
    raise ValueError(fmt)


# ---------------------------------------------------------------------------------------------
# Reading received records back


def _split_unescaped(text, sep, limit=None):
    parts, cur, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if c == sep and (limit is None or len(parts) < limit):
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def _unescape(text, named=None):
    named = named or {}
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(named.get(nxt, nxt))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def parse_rfc5424(record):
    """(header fields, [(sd_id, [(name, value)])], msg) of an RFC 5424 message."""
    text = record.decode("utf-8")
    m = re.match(r"<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) ", text)
    check(m, f"not an RFC 5424 header: {text[:120]!r}")
    rest, elements = text[m.end():], []
    i = 0
    while i < len(rest) and rest[i] == "[":
        j = i + 1
        while rest[j] not in " ]":
            j += 1
        sd_id, params, i = rest[i + 1:j], [], j
        while rest[i] == " ":
            eq = rest.index("=", i)
            name = rest[i + 1:eq]
            check(re.fullmatch(r'[^= \]"]{1,32}', name) and rest[eq + 1] == '"',
                  f"bad SD-PARAM at {rest[i:i + 40]!r}")
            k, value = eq + 2, []
            while rest[k] != '"':
                if rest[k] == "\\" and rest[k + 1] in '"\\]':
                    value.append(rest[k + 1])
                    k += 2
                else:
                    check(rest[k] != "]", f"unescaped ] in an SD-PARAM value: {rest[i:k + 1]!r}")
                    value.append(rest[k])
                    k += 1
            params.append((name, "".join(value)))
            i = k + 1
        check(rest[i] == "]", f"SD-ELEMENT not closed at {rest[i:i + 40]!r}")
        elements.append((sd_id, params))
        i += 1
    check(rest[i:i + 1] == " ", "no space between structured data and MSG")
    return list(m.groups()), elements, rest[i + 1:]


def parse_cef(record):
    """(header fields after CEF:0, [(key, value)]) of a CEF event."""
    text = record.decode("utf-8")
    check(text.startswith("CEF:0|"), f"not CEF:0: {text[:60]!r}")
    parts = _split_unescaped(text[len("CEF:0|"):], "|", limit=6)
    check(len(parts) == 7, f"CEF header has {len(parts)} fields, not 7: {text[:200]!r}")
    header = [_unescape(p) for p in parts[:6]]
    ext, pairs = parts[6], []
    # Every unescaped '=' separates a key (the word before it) from its value.
    eqs = [i for i, c in enumerate(ext) if c == "=" and _unescaped_at(ext, i)]
    starts = []
    for e in eqs:
        s = e
        while s > 0 and (ext[s - 1].isalnum() or ext[s - 1] == "_"):
            s -= 1
        check(s == 0 or ext[s - 1] == " ", f"CEF key not after a space: {ext[max(0, s - 20):e]!r}")
        starts.append((s, e))
    for n, (s, e) in enumerate(starts):
        end = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(ext)
        pairs.append((ext[s:e], _unescape(ext[e + 1:end], {"n": "\n", "r": "\r"})))
    return header, pairs


def _unescaped_at(text, i):
    n = 0
    while i - n - 1 >= 0 and text[i - n - 1] == "\\":
        n += 1
    return n % 2 == 0


def parse_leef(record):
    """(header fields after LEEF:2.0, delimiter, [(key, value)]) of a LEEF 2.0 event."""
    text = record.decode("utf-8")
    check(text.startswith("LEEF:2.0|"), f"not LEEF:2.0: {text[:60]!r}")
    parts = _split_unescaped(text[len("LEEF:2.0|"):], "|", limit=5)
    check(len(parts) == 6, f"LEEF header has {len(parts)} fields: {text[:200]!r}")
    delim = parts[4]
    check(len(delim) == 1, f"LEEF delimiter {delim!r}")
    pairs = []
    for attr in _split_unescaped(parts[5], delim):
        key, eq, value = attr.partition("=")
        check(eq and re.fullmatch(r"[A-Za-z0-9_]+", key), f"bad LEEF attribute {attr[:60]!r}")
        pairs.append((key, _unescape(value, {"n": "\n", "t": "\t"})))
    return [_unescape(p) for p in parts[:4]], delim, pairs


def check_parses_back(record, fmt, alert, hostname, version):
    """Reads `record` with the format's own grammar and finds every field of the alert in it,
    with the controls the format cannot carry shown as \\xNN or \\uNNNN."""
    f = Facts(alert)
    if fmt == "json":
        check(json.loads(record.decode("utf-8")) == alert, "JSON record differs from the alert")
    elif fmt == "rfc5424":
        header, elements, msg = parse_rfc5424(record)
        check(header == [str(FACILITY * 8 + f.syslog_sev), f.created,
                         header_token(hostname, 255), "ikewatch", "-", f.rule_id],
              f"RFC 5424 header {header}")
        want = [("ikewatch@32473", [(k, visible(v)) for k, v in f.sd_params()])]
        if f.evidence:
            want.append(("evidence@32473", [("line", visible(l)) for l in f.evidence]))
        check(elements == want, f"structured data read back:\n  {elements}\nexpected\n  {want}")
        check(json.loads(msg) == alert, "RFC 5424 MSG is not the alert JSON")
    elif fmt == "cef":
        header, pairs = parse_cef(record)
        check(header == [visible(h) for h in f.cef_header(version)], f"CEF header {header}")
        want = [(k, visible(v, "\r\n")) for k, v in f.cef_extension()]
        check(pairs == want, f"CEF extension read back:\n  {pairs}\nexpected\n  {want}")
    elif fmt == "leef":
        header, delim, pairs = parse_leef(record)
        check(header == ["ikewatch", "ikewatch", version, f.rule_id] and delim == "^",
              f"LEEF header {header} {delim!r}")
        want = [(k, visible(v, "\n\t")) for k, v in f.leef_attributes()]
        check(pairs == want, f"LEEF attributes read back:\n  {pairs}\nexpected\n  {want}")


def identity(record, fmt):
    """(alert.id, event.action) of a received record, read with the format's parser."""
    if fmt == "json":
        a = json.loads(record.decode("utf-8"))
        return a["alert"]["id"], a["event"]["action"]
    if fmt == "rfc5424":
        params = dict(parse_rfc5424(record)[1][0][1])
        return params["alert_id"], params["action"]
    if fmt == "cef":
        pairs = dict(parse_cef(record)[1])
        return pairs["externalId"], pairs["act"]
    pairs = dict(parse_leef(record)[2])
    return pairs["alertId"], pairs["action"]


def first_difference(got, want):
    """A readable account of where two byte strings part."""
    n = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    return (f"first difference at byte {n} (lengths {len(got)} and {len(want)}):\n"
            f"  got:      {got[max(0, n - 60):n + 60]!r}\n"
            f"  expected: {want[max(0, n - 60):n + 60]!r}")


def daemon_version(t):
    r = subprocess.run([t.ikewatchd, "--version"], capture_output=True, text=True, timeout=30)
    return r.stdout.strip().split()[-1]


def wait_files(what, probe, timeout=30):
    return wait_until(what, probe, timeout, interval=0.1)
