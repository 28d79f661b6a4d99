#!/usr/bin/env python3
"""ikewatchd -> rsyslogd: one forwarder per format (RFC 5424, CEF, LEEF 2.0, JSON) per transport
(UDP, TCP with octet counting, TLS with the test CA), plus TLS with a client certificate and a
host name, TLS without verification, and a filtered forwarder, each into its own rsyslog input.
Log lines with hostile text (newlines, CR, tabs, `|`, `=`, `]`, `^`, quotes, backslashes, ANSI
escapes, DEL, invalid and valid multi-byte UTF-8, CEF/SD/LEEF injection attempts) in the fields
rules carry into alerts (tunnel-group names and evidence lines, user names in the title) raise
alerts; what rsyslog receives must equal, byte for byte, the rendering computed here from the
alert log's JSON by each format's escaping rules, and read back with each format's grammar.
A forwarder whose server name does not match the certificate, and one without the client
certificate the collector demands, must deliver nothing and count failures."""

import socket

from forward_common import (FORMATS, Collector, asa_line, check_parses_back, daemon_version,
                            first_difference, forwarding_daemon, identity, json_line, make_certs,
                            no_tunnel_group, phase1_completed, render, send_tcp, send_udp,
                            wait_files)
from lib import check, run

HOST = "fw-hostile"
# Tunnel-group names: the group goes into ike.group, the whole line into the evidence.
GROUPS = {
    "10.66.0.1": b"line1\nline2\rcr\x1b[31mred\x1b[0m\xff\xfe\xe2\x82Xz\x01\x7fdel",
    "10.66.0.2": b'tab\there|pipe=eq]br"q\\bs^caret',
    "10.66.0.3": b'x" alert_id="forged"] [fake@1 a="b\\',
    "10.66.0.4": b" cs1=forged act=resolved |10| ^sev=1^ msg=oops \\",
    # Valid UTF-8 kept as text, and the layout controls beyond ASCII: a line separator, C1 CSI,
    # right-to-left override, isolates and marks.
    "10.66.0.5": ("Zürich ĝ 𝄞 \u2028 end € \u009b2J csi \u202erlo\u202c "
                  "\u2066\u061c\u200f").encode(),
    "10.66.0.6": b"over tcp\nwith a newline\x1b]0;title\x07 and \xc0\xaf overlong",
}
VIA_TCP = {"10.66.0.4", "10.66.0.5", "10.66.0.6"}
LONG_PEER = "10.66.0.7"  # an evidence line longer than 512 bytes, cut inside a character
RESOLVED_PEER = "10.66.0.2"
LOGIN_HOST = "mgmt-fw"


def long_line():
    head = no_tunnel_group(HOST, LONG_PEER, b"")
    start = head.index(b"Group = ") + len(b"Group = ")
    fill = b"L" * (511 - start)  # 'é' takes bytes 511 and 512: the cut falls inside it
    return no_tunnel_group(HOST, LONG_PEER, fill + "é and more text".encode())


def login_lines():
    out = []
    for i in range(5):
        out.append(asa_line(LOGIN_HOST, "6-605004",
                            b'Login denied from 198.51.100.7/5%d123 to outside:192.0.2.1/ssh for '
                            b'user "r|o\\ot=x]^\x1b[31m\nnl\xff"' % i, f"Dec 19 15:50:0{i}"))
        out.append(asa_line(LOGIN_HOST, "6-113015",
                            b'AAA user authentication Rejected : reason = Invalid password : '
                            b'local database : user = q"uo|te\\d\tx : user IP = 198.51.100.8',
                            f"Dec 19 15:51:0{i}"))
    return out


def main(t):
    certs = make_certs(t)
    version = daemon_version(t)
    inputs = {f"{tr}-{fmt}": tr for tr in ("udp", "tcp", "tls") for fmt in FORMATS}
    inputs.update({"tlsc-rfc5424": "tls-client", "tlsc-cef": "tls-client",
                   "tls-noverify-leef": "tls", "tcp-filtered-json": "tcp",
                   "tls-wrongname": "tls", "tlsc-nocert": "tls-client"})
    collector = Collector(t, inputs, certs).start()
    t.step(f"rsyslogd with {len(inputs)} inputs on 127.0.0.1")

    forwarders = []
    for tr in ("udp", "tcp", "tls"):
        for fmt in FORMATS:
            f = {"name": f"{tr}-{fmt}", "url": collector.url(f"{tr}-{fmt}"), "format": fmt}
            if tr == "tls":
                f["ca_file"] = certs["ca.pem"]
            forwarders.append(f)
    client = {"ca_file": certs["ca.pem"], "cert_file": certs["client.pem"],
              "key_file": certs["client.key"]}
    forwarders += [
        # A host name checked against the certificate's DNS name, and a client certificate.
        {"name": "tlsc-rfc5424", "url": collector.url("tlsc-rfc5424", "localhost"),
         "format": "rfc5424", **client},
        {"name": "tlsc-cef", "url": collector.url("tlsc-cef", "localhost"), "format": "cef",
         **client},
        {"name": "tls-noverify-leef", "url": collector.url("tls-noverify-leef"), "format": "leef",
         "verify": False, "server_name": "wrong.example"},
        {"name": "tcp-filtered-json", "url": collector.url("tcp-filtered-json"),
         "format": "json", "min_severity": "medium", "codes": ["tunnel-group-or-psk-missing"]},
        # Must deliver nothing: the certificate is not for this name / no client certificate.
        {"name": "tls-wrongname", "url": collector.url("tls-wrongname"), "format": "json",
         "ca_file": certs["ca.pem"], "server_name": "wrong.example"},
        {"name": "tlsc-nocert", "url": collector.url("tlsc-nocert"), "format": "json",
         "ca_file": certs["ca.pem"]},
    ]
    d = forwarding_daemon(t, forwarders)
    delivering = [f["name"] for f in forwarders if f["name"] not in ("tls-wrongname",
                                                                    "tlsc-nocert")]

    t.step("hostile lines over UDP and TCP (octet counting)")
    send_udp(d.udp_port, [no_tunnel_group(HOST, p, g) for p, g in GROUPS.items()
                          if p not in VIA_TCP])
    send_tcp(d.tcp_port, [no_tunnel_group(HOST, p, g) for p, g in GROUPS.items() if p in VIA_TCP]
             + [long_line()] + login_lines())
    d.wait_alert(HOST, "tunnel-group-or-psk-missing")
    send_udp(d.udp_port, [phase1_completed(HOST, RESOLVED_PEER)])

    def alerts_in():
        lines = d.alert_lines()
        peers = {a["ike"]["peer"] for _, a in lines if a["rule"]["id"] == "IKW-P1-031"}
        logins = [a for _, a in lines if a["diagnosis"]["code"] == "mgmt-login-burst"]
        resolved = [a for _, a in lines if a["event"]["action"] == "resolved"]
        return peers >= set(GROUPS) | {LONG_PEER} and len(logins) == 2 and resolved and lines

    lines = wait_files("every alert in the alert log", alerts_in)
    alerts = [a for _, a in lines]
    t.step(f"{len(alerts)} alerts in the alert log")

    # The hostile text really reached the alerts (else nothing below would be tested).
    evidence = "".join(e["line"] for a in alerts for e in a["evidence"])
    for needle in ("\n", "\r", "\t", "\x1b[31m", "\x7f", "\ufffd", "|", "=", "]", "^", '"',
                   "\\", "𝄞", "\u2028", "\u009b2J", "\u202e", 'alert_id="forged"',
                   " cs1=forged"):
        check(needle in evidence, f"{needle!r} did not reach the evidence of any alert")
    check(any("\x1b[31m\n" in a["message"] and "|" in a["message"] for a in alerts),
          "the hostile user name did not reach a login alert's title")
    check(any(e["line"].encode()[511:513] == "é".encode() for a in alerts for e in a["evidence"]),
          "no evidence line has a character across byte 512")
    check(any(a["ike"]["group"] and "\x1b[31m" in a["ike"]["group"] for a in alerts),
          "the hostile group did not reach ike.group")
    # The alert log itself is the JSON the spec describes (sorted keys, no spaces, UTF-8).
    for raw, a in lines:
        check(raw.decode("utf-8") == json_line(a), "alert log line is not canonical JSON: "
              + first_difference(raw, json_line(a).encode()))

    hostname = socket.gethostname()

    def expected(name):
        fmt = name.rsplit("-", 1)[1]
        wanted = d.alert_lines() if name != "tcp-filtered-json" else [
            (r, a) for r, a in d.alert_lines()
            if a["diagnosis"]["code"] == "tunnel-group-or-psk-missing"]
        return fmt, {render(a, fmt, hostname, version): a for _, a in wanted}

    def all_delivered():
        for name in delivering:
            _, want = expected(name)
            if set(collector.records(name)) != set(want):
                return False
        return True

    try:
        wait_files("every forwarder's records at the collector", all_delivered, 30)
    except Exception:
        for name in delivering:
            fmt, want = expected(name)
            got = collector.records(name)
            missing = [w for w in want if w not in got]
            extra = [g for g in got if g not in want]
            print(f"{name}: {len(got)} received, {len(want)} expected, {len(missing)} missing, "
                  f"{len(extra)} unexpected")
            by_id = {identity(w, fmt): w for w in missing}
            for g in extra[:2]:
                try:
                    close = by_id[identity(g, fmt)]
                except Exception:  # unreadable, or an alert that should not be there
                    close = min(missing, key=lambda w: sum(x != y for x, y in zip(g, w)),
                                default=b"")
                print("  " + first_difference(g, close))
        raise

    checked = 0
    for name in delivering:
        fmt, want = expected(name)
        got = collector.records(name)
        check(len(got) == len(set(got)), f"{name}: duplicates without an outage")
        for record in got:
            check_parses_back(record, fmt, want[record], hostname, version)
            checked += 1
    t.step(f"{checked} records byte-identical to the rendering and read back field by field "
           f"({len(delivering)} forwarders)")
    alerts = [a for _, a in d.alert_lines()]
    filtered = len(collector.records("tcp-filtered-json"))
    check(0 < filtered < len(alerts), f"filter let {filtered} of {len(alerts)} alerts through")

    for name in delivering:
        d.wait_metric(f'forward_alerts_total{{forwarder="{name}",outcome="delivered"}}',
                      len(collector.records(name)))
        check(d.forward_metric(name, "lost") == 0, f"{name}: lost alerts")
    check(d.forward_metric("tcp-filtered-json", "filtered") == len(alerts) - filtered,
          "filtered count")

    for name in ("tls-wrongname", "tlsc-nocert"):
        d.wait_metric(f'forward_failures_total{{forwarder="{name}"}}', 2)
        check(collector.records(name) == [], f"{name}: the collector received records")
        check(d.forward_metric(name, "delivered") == 0, f"{name}: counted as delivered")
        check(d.forward_metric(name, family="forward_pending") == len(alerts),
              f"{name}: the undelivered alerts are not pending")
    check("certificate verify failed" in d.stderr(), "no certificate failure in the log")
    t.step("wrong server name and missing client certificate: nothing delivered, failures "
           "counted, alerts kept pending")


run(main)
