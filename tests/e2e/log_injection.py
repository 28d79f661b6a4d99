#!/usr/bin/env python3
"""Log injection: syslog whose fields end up in alerts, /peers and `ikewatch status` carries
newlines, CR, ANSI escapes (ESC[31m, ESC]0;title BEL), C1 controls (U+009B CSI), a line
separator, a right-to-left override, JSON and CEF/LEEF metacharacters (" \\ } | =), NUL, bytes
that are not UTF-8, and overlong fields: a 64 KiB user name over TCP, and a frame longer than
max_message_size whose cut falls inside a UTF-8 character.

Two daemons get the same lines, one writing the alert log as JSON, one as text. Checks: the JSON
log is one valid UTF-8 JSON object per line with no raw control character, and the hostile text
comes back from it intact (escaped, not lost); the text log has no raw control character and
exactly one header line per alert (the others are indented cause/check/evidence lines); /peers and
/alerts are valid JSON without raw controls; `ikewatch status` (peers and --alerts, text and json)
prints no raw control character and no line that is not one of its own; each alert line stays
bounded in size however long the fields.
"""

import json
import re
import subprocess
import urllib.request

from lib import check, raised, run, tcp_send, udp_send, wait_until

MAX_MESSAGE = 16 * 1024
CONFIG = f"""\
listen:
  max_message_size: {MAX_MESSAGE}
"""
TEXT_CONFIG = CONFIG + "alerts:\n  format: text\n"

# Hostile bytes without spaces (so that a header field keeps them whole). USER has no double
# quote, since 605004 quotes the user name.
HOSTILE = (b'ev"il\\}|a=b\r\nFORGED\x1b[31mRED\x1b]0;title\x07\x7f\xc2\x9b2J\xe2\x80\xa8LS'
           b'\xe2\x80\xaeRLO\xff\xfe')
USER = HOSTILE.replace(b'"', b"'")
# A header host name ends at a space or a line end.
HOST = HOSTILE.replace(b"\r\n", b"")
# An alert line may carry long evidence, but not without bound: five lines naming a 15 KiB user
# must not make a 100 KiB alert (memory: up to 100,000 raised alerts are kept until resolved).
MAX_ALERT_LINE = 32 * 1024
MAX_DEVICE = 255  # bytes of a device name (RFC 5424 HOSTNAME)

# Code points that must never appear raw in what a person reads: C0 (except the newline ending a
# line), DEL, C1, line/paragraph separators, bidi controls.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e"
                    "\u2066-\u2069]")


def no_unsafe(what, data):
    """`data` (bytes) is strict UTF-8 with no raw control; returns it decoded."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AssertionError(f"{what}: not UTF-8 ({e}): {data[max(0, e.start - 40):e.end + 40]!r}")
    m = UNSAFE.search(text)
    check(m is None, f"{what}: raw control U+{ord(m.group()):04X} at {m.start() if m else 0}: "
          f"{text[max(0, m.start() - 60):m.start() + 20]!r}" if m else "")
    return text


def line_3164(device, severity, msg_id, body, second=0):
    return b"<%d>Jun 01 2026 10:00:%02d %s : %%ASA-%d-%d: %s" % (
        160 + severity, second, device, severity, msg_id, body)


def tunnel_group_missing(group, peer):
    return b"Group = %s, IP = %s, Can't find a valid tunnel group, aborting...!" % (group, peer)


def login_denied(source, user):
    return (b'Login denied from %s/1234 to outside:10.2.2.2/ssh for user "%s"' % (source, user))


def messages():
    """(transport, message) in the order they are sent."""
    out = []
    # A device name from the RFC 5424 HOSTNAME field, a tunnel group, an evidence line.
    out.append(("udp", b"<163>1 2026-06-01T10:00:00Z fw-" + HOST + b" - - - - %ASA-3-713902: "
                + tunnel_group_missing(HOSTILE, b"203.0.113.10")))
    # A device name of 2,000 bytes.
    out.append(("udp", b"<163>1 2026-06-01T10:00:00Z fw-long" + b"L" * 2000 + b" - - - - "
                b"%ASA-3-713902: " + tunnel_group_missing(b"g", b"203.0.113.14")))
    # A tunnel group on an ordinary device.
    out.append(("udp", line_3164(b"fw-inj1", 3, 713902,
                                 tunnel_group_missing(HOSTILE, b"203.0.113.11"))))
    # An IKEv2 peer that is a name, not an address, and a user name.
    out.append(("udp", b"<164>Jun 01 2026 10:00:00 fw-inj2 : %ASA-4-750003: Local:9.8.7.6:500 "
                b"Remote:v2" + HOSTILE[:30] + b":500 Username:" + USER + b" IKEv2 Negotiation "
                b"aborted due to ERROR: Failed to receive the AUTH msg before the timer expired"))
    # A user name in a management-login burst (the title says the last user).
    for i in range(5):
        out.append(("udp", line_3164(b"fw-inj3", 6, 605004, login_denied(b"10.9.9.9", USER), i)))
    # 15 KiB user names over TCP (octet counting), five times, then one of 64 KiB, which
    # max_message_size cuts.
    long_user = b"u" * (15 * 1024) + USER
    for i in range(5):
        out.append(("tcp", line_3164(b"fw-inj4", 6, 605004, login_denied(b"10.9.9.10", long_user),
                                     i)))
    out.append(("tcp", line_3164(b"fw-inj4", 6, 605004,
                                 login_denied(b"10.9.9.10", b"v" * 65536 + USER), 6)))
    # Longer than max_message_size: cut inside a 3-byte character.
    head = line_3164(b"fw-inj5", 3, 713902, tunnel_group_missing(b"g5", b"203.0.113.12")) + b" "
    head += b"x" * ((MAX_MESSAGE - len(head) - 1) % 3)  # the cut leaves 1 byte of a character
    out.append(("tcp", head + "\u2190".encode() * ((MAX_MESSAGE - len(head)) // 3 + 1000)))
    # NUL in the middle of a line: refused by the framing (nul_byte), never in an alert.
    out.append(("udp", line_3164(b"fw-inj6", 3, 713902,
                                 tunnel_group_missing(b"g\x00nul", b"203.0.113.13"))))
    return out


EXPECTED = [  # device prefix (bytes), code, peer
    (b"fw-ev", "tunnel-group-or-psk-missing", "203.0.113.10"),
    (b"fw-inj1", "tunnel-group-or-psk-missing", "203.0.113.11"),
    (b"fw-inj2", None, None),  # IKEv2 AUTH timeout for the named peer (code checked below)
    (b"fw-inj3", "mgmt-login-burst", None),
    (b"fw-inj4", "mgmt-login-burst", None),
    (b"fw-inj5", "tunnel-group-or-psk-missing", "203.0.113.12"),
    (b"fw-longLLL", "tunnel-group-or-psk-missing", "203.0.113.14"),
]


def status(t, d, *args):
    r = subprocess.run([t.ikewatch, "status", "--url", f"http://127.0.0.1:{d.status_port}",
                        *args], capture_output=True, timeout=30)
    check(r.returncode == 0, f"ikewatch status {' '.join(args)}: exit {r.returncode}: "
          f"{r.stderr.decode(errors='replace')}")
    return r.stdout


def main(t):
    dj = t.daemon(name="json", config=CONFIG)
    dt = t.daemon(name="text", config=TEXT_CONFIG)
    msgs = messages()
    t.step(f"sending {len(msgs)} hostile messages to both daemons")
    for d in (dj, dt):
        for transport, m in msgs:
            if transport == "udp":
                udp_send(d.udp_port, [m])
            else:
                tcp_send(d.tcp_port, [m], framing="octet")

    t.step("the diagnoses are raised, with the hostile text in them")
    for d in (dj, dt):
        d.wait_metric('messages_truncated_total{transport="tcp"}', 2)
        d.wait_metric('parse_errors_total{code="nul_byte"}', 1)
        check(d.metric('messages_truncated_total{transport="tcp"}') == 2, f"{d.name}: truncated")
    wait_until("every expected alert in the JSON log", lambda: all(
        any(a["observer"]["hostname"].encode("utf-8", "replace").startswith(dev)
            and (code is None or a["diagnosis"]["code"] == code)
            and (peer is None or a["ike"]["peer"] == peer) for a in raised(dj.alerts()))
        for dev, code, peer in EXPECTED))

    t.step("JSON alert log: one valid UTF-8 JSON object per line, no raw control, text intact")
    with open(dj.alert_log, "rb") as f:
        raw = f.read()
    check(raw.endswith(b"\n"), "the JSON alert log does not end with a newline")
    alerts = []
    for n, line in enumerate(raw.split(b"\n")[:-1], 1):
        text = no_unsafe(f"alert log line {n}", line)
        check(len(line) <= MAX_ALERT_LINE, f"alert log line {n} is {len(line)} bytes "
              f"(limit {MAX_ALERT_LINE}): {line[:200]!r}")
        a = json.loads(text)
        check(isinstance(a, dict), f"alert log line {n} is not an object")
        alerts.append(a)
    by_peer = {a["ike"]["peer"]: a for a in alerts if a["ike"]["peer"]}
    a10 = by_peer["203.0.113.10"]
    hostile_text = HOSTILE.decode("utf-8", "replace")
    check(a10["observer"]["hostname"] == "fw-" + HOST.decode("utf-8", "replace"),
          f"device name not kept: {a10['observer']['hostname']!r}")
    check(any(hostile_text in e["line"] for e in a10["evidence"]),
          f"evidence lost the hostile group: {a10['evidence']!r}")
    a11 = by_peer["203.0.113.11"]
    check(a11["ike"]["group"] and a11["ike"]["group"].startswith('ev"il\\}|a=b\r\nFORGED\x1b[31m'),
          f"group: {a11['ike']['group']!r}")
    v2 = [a for a in alerts if a["observer"]["hostname"] == "fw-inj2"]
    check(v2 and v2[0]["ike"]["peer"].startswith("v2ev\"il"), f"IKEv2 named peer: {v2!r}")
    burst = [a for a in alerts if a["observer"]["hostname"] == "fw-inj3"
             and a["diagnosis"]["code"] == "mgmt-login-burst"]
    check(burst and USER.decode("utf-8", "replace") in burst[0]["message"],
          f"user name not in the title: {burst[0]['message'] if burst else None!r}")
    cut = by_peer["203.0.113.12"]
    check(any("\u2190" in e["line"] for e in cut["evidence"]), "evidence of the cut frame")
    long_device = by_peer["203.0.113.14"]["observer"]["hostname"]
    check(long_device.startswith("fw-longLLL") and len(long_device.encode()) <= MAX_DEVICE,
          f"a {len(long_device.encode())}-byte device name")
    burst4 = [a for a in alerts if a["observer"]["hostname"] == "fw-inj4"]
    check(burst4 and "uuuu" in burst4[0]["message"], "the 15 KiB user burst raised nothing")
    check(not [a for a in alerts if a["observer"]["hostname"] == "fw-inj6"],
          "a line with a NUL byte raised an alert")

    t.step("text alert log: no raw control, one header line per alert")
    wait_until("the text log to hold as many alerts as the JSON log", lambda: (
        len(re.findall(rb"^\d{4}-\d\d-\d\dT\S+ (?:RAISED|RESOLVED) ",
                       open(dt.alert_log, "rb").read(), re.M)) >= len(alerts)))
    with open(dt.alert_log, "rb") as f:
        text = no_unsafe("text alert log", f.read())
    headers = 0
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if re.match(r"\d{4}-\d\d-\d\dT\S+ (RAISED|RESOLVED) +\[\w+\] [\w-]+ IKW-[\w-]+: ", line):
            headers += 1
        else:
            check(line.startswith(("    cause: ", "    check: ", "    | ")),
                  f"text alert log line {n} is neither a header nor an indented line: "
                  f"{line[:120]!r}")
    check(headers == len(alerts), f"text log: {headers} alerts, JSON log: {len(alerts)}")
    check("FORGED" in text and "\\x1b[31mRED" in text, "the hostile text is not shown escaped")

    for d in (dj, dt):
        t.step(f"{d.name}: /peers and /alerts are valid JSON without raw controls")
        for path in ("/peers", "/alerts"):
            with urllib.request.urlopen(f"http://127.0.0.1:{d.status_port}{path}") as r:
                body = r.read()
            check(body.endswith(b"\n") and body.count(b"\n") == 1, f"{path}: not one line")
            items = json.loads(no_unsafe(path, body[:-1]))
            check(isinstance(items, list) and items, f"{path}: empty or not an array")
        peers = json.loads(d.get("/peers"))
        active = json.loads(d.get("/alerts"))

        t.step(f"{d.name}: ikewatch status prints no control character and no forged line")
        out = no_unsafe("ikewatch status", status(t, d)).split("\n")
        check(out[-1] == "", "ikewatch status: no final newline")
        devices = {}
        for p in peers:
            devices.setdefault(p["device"], []).append(p)
        # Per device: a heading, the column heading, a row per peer, a blank line.
        check(len(out) - 1 == sum(3 + len(v) for v in devices.values()),
              f"ikewatch status: {len(out) - 1} lines for {len(peers)} peers of "
              f"{len(devices)} devices:\n" + "\n".join(out[:40]))
        rows = [l for l in out if re.match(r"  \S", l) and not l.startswith("  IKE Peer")]
        check(len(rows) == len(peers), f"ikewatch status: {len(rows)} rows, {len(peers)} peers")
        headings = [l for l in out if l and not l.startswith("  ")]
        check(len(headings) == len(devices) and all(" — " in h and h.endswith(
            ("IKE peer", "IKE peers")) for h in headings), f"device headings: {headings!r}")

        out = no_unsafe("ikewatch status --alerts", status(t, d, "--alerts")).split("\n")
        check(len(out) - 1 == len(active), f"ikewatch status --alerts: {len(out) - 1} lines, "
              f"{len(active)} active alerts")
        for line in out[:-1]:
            check(re.match(r"\S+ \[\w+\] [\w-]+ IKW-[\w-]+: ", line),
                  f"ikewatch status --alerts line: {line[:120]!r}")
        for args, n in ((("--format", "json"), len(peers)),
                        (("--alerts", "--format", "json"), len(active))):
            out = no_unsafe(f"ikewatch status {' '.join(args)}", status(t, d, *args))
            lines = out.split("\n")[:-1]
            check(len(lines) == n, f"ikewatch status {' '.join(args)}: {len(lines)} lines for {n}")
            for line in lines:
                check(isinstance(json.loads(line), dict), "status json line is not an object")

    t.step("both daemons still healthy")
    for d in (dj, dt):
        check(d.healthz() == "ok", f"{d.name}: /healthz")


if __name__ == "__main__":
    run(main)
