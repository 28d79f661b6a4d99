#!/usr/bin/env python3
"""Syslog over TLS into ikewatchd (RFC 5425), with client certificates and an allow list.

Certificates are made here with openssl: a CA, the daemon's certificate and a renewed one, a
client certificate the allow list names by its CN (asa-hq), one it names by its SAN DNS name
(the rsyslog relay), one it does not name (asa-stranger), and one from another CA that carries
an allowed CN.

- A real rsyslogd receives scenario lines over UDP (sent with logger) and forwards them with
  omfwd over TLS (gtls, octet counting) with its client certificate: every line arrives and the
  scenarios' diagnoses are raised.
- Python ssl clients: the allowed certificate gets lines in, octet-counted and newline-framed;
  no certificate, a certificate not in allowed_clients, and one from the other CA are refused
  (each counted under its reason), and none of their lines is read; plain text to the TLS port
  and a connection that never starts its handshake are counted, and the daemon goes on.
- SIGHUP after the certificate files were replaced: new connections get the new certificate
  (compared by fingerprint); after a broken certificate is written, the reload is refused and
  new connections keep getting the last good one.
"""

import hashlib
import os
import re
import shutil
import signal
import socket
import ssl
import textwrap

from forward_common import CLIENT_EXT, SERVER_EXT, Pki, gtls_module
from lib import (check, Daemon, expected_code, expected_peers, logger_send, run, scenario_lines,
                 SKIP, start_udp_relay, summary, syslog_line, tool)

RELAYED = [("S05", "tls-relay-s05"), ("S06", "tls-relay-s06")]
OCTETS = ("S07", "tls-octet-s07")
LINES = ("S08", "tls-line-s08")
REFUSED = ("S12", "tls-refused")  # sent by every client that must be refused
RECEIVED = 'messages_received_total{transport="tls"}'


def failures(reason):
    return f'tls_handshake_failures_total{{reason="{reason}"}}'


class TlsDaemon(Daemon):
    """ikewatchd with only a TLS listener (from its configuration file)."""

    def __init__(self, t, config):
        super().__init__(t, name="ikewatchd-tls", config=config, udp=False, tcp=False)
        self.tls_port = None

    def start(self):
        super().start()
        self.tls_port = int(re.search(r"listening on tls (\d+)", self.stderr()).group(1))
        return self


def client_context(pki, cert=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.path("ca.pem"))
    if cert:
        ctx.load_cert_chain(pki.path(cert + ".pem"), pki.path(cert + ".key"))
    return ctx


def tls_send(port, ctx, messages, framing):
    """Sends messages over one TLS connection and closes it cleanly; returns the DER of the
    daemon's certificate. A refusal may show here (TLS 1.2) or only later (TLS 1.3: the client
    is done before the daemon has checked its certificate); the caller checks the daemon."""
    frame = {"octet": lambda b: b"%d %s" % (len(b), b), "line": lambda b: b + b"\n"}[framing]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            der = s.getpeercert(binary_form=True)
            for m in messages:
                s.sendall(frame(m.encode()))
            try:
                s.unwrap()  # close_notify, then the daemon's end of the connection
            except (ssl.SSLError, OSError):
                pass
            return der


def refused_attempt(port, ctx):
    """A client the daemon must refuse: its lines must not get in, whatever the client sees."""
    lines = [syslog_line(REFUSED[1], l) for l in scenario_lines(REFUSED[0])]
    try:
        tls_send(port, ctx, lines, "octet")
    except (ssl.SSLError, OSError):
        pass


def fingerprint(der):
    return hashlib.sha256(der).hexdigest()


def pem_fingerprint(path):
    return fingerprint(ssl.PEM_cert_to_DER_cert(open(path).read()))


def served_fingerprint(port, pki):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with client_context(pki, "asa-hq").wrap_socket(raw, server_hostname="localhost") as s:
            return fingerprint(s.getpeercert(binary_form=True))


RSYSLOG_CONF = """\
global(workDirectory="{work}" defaultNetstreamDriverCAFile="{ca}"
       defaultNetstreamDriverCertFile="{cert}" defaultNetstreamDriverKeyFile="{key}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{port}" ruleset="relay")
ruleset(name="relay") {{
    action(type="omfwd" target="127.0.0.1" port="{tls}" protocol="tcp"
           StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/certvalid"
           TCP_Framing="octet-counted" template="RSYSLOG_TraditionalForwardFormat"
           action.resumeRetryCount="-1")
}}
"""


def start_relay(t, pki, tls_port):
    """rsyslogd: UDP in, TLS out to the daemon with the relay's client certificate."""
    rsyslogd = tool("rsyslogd")
    if not gtls_module():
        print("SKIP: rsyslog's TLS driver (lmnsd_gtls, package rsyslog-gnutls) is not installed",
              flush=True)
        raise SystemExit(SKIP)
    work = os.path.join(t.tmp, "rsyslog")
    os.makedirs(work)
    return start_udp_relay(t, rsyslogd, work, RSYSLOG_CONF, ca=pki.path("ca.pem"),
                           cert=pki.path("relay.pem"), key=pki.path("relay.key"), tls=tls_port)


def check_diagnoses(t, d, scenarios):
    for scenario, tag in scenarios:
        code = expected_code(scenario)
        for device, peer in expected_peers(scenario, tag):
            a = d.wait_alert(device, code)
            check(a["ike"]["peer"] == peer, f"{scenario}: peer {a['ike']['peer']}, not {peer}")
            t.step(f"{scenario}: {summary(a)}")


def main(t):
    tool("logger")
    pki = Pki(t)
    pki.ca("ca", "/CN=ikewatch e2e CA")
    pki.ca("other-ca", "/CN=another CA")
    pki.issue("ca", "server", "/CN=ikewatch e2e server", SERVER_EXT)
    pki.issue("ca", "renewed", "/CN=ikewatch e2e server renewed", SERVER_EXT)
    pki.issue("ca", "asa-hq", "/O=branch/CN=asa-hq", CLIENT_EXT)
    pki.issue("ca", "relay", "/CN=rsyslog relay",
              "subjectAltName=DNS:relay.example.net\n" + CLIENT_EXT)
    pki.issue("ca", "asa-stranger", "/CN=asa-stranger", CLIENT_EXT)
    pki.issue("other-ca", "foreign", "/CN=asa-hq", CLIENT_EXT)

    # The daemon reads its certificate from files that are replaced later.
    live_cert = os.path.join(t.tmp, "live-server.pem")
    live_key = os.path.join(t.tmp, "live-server.key")
    shutil.copy(pki.path("server.pem"), live_cert)
    shutil.copy(pki.path("server.key"), live_key)
    d = TlsDaemon(t, textwrap.dedent(f"""\
        listen:
          tls: ["127.0.0.1:0"]
        tls:
          cert: "{live_cert}"
          key: "{live_key}"
          ca: "{pki.path('ca.pem')}"
          require_client_cert: true
          allowed_clients: [asa-hq, relay.example.net]
          handshake_timeout: 2s
        """))
    t.daemons.append(d)
    d.start()
    t.step(f"ikewatchd on tls {d.tls_port}")

    # -- a real rsyslog relay, TLS with its client certificate --------------------------------
    relay, relay_port = start_relay(t, pki, d.tls_port)
    total = 0
    for scenario, tag in RELAYED:
        lines = scenario_lines(scenario)
        logger_send(relay_port, tag, lines, "udp")
        total += len(lines)
    got = d.wait_metric(RECEIVED, total, 30)
    check(got == total, f"{RECEIVED} = {got}, rsyslog relayed {total}")
    check_diagnoses(t, d, RELAYED)
    check(d.metric('tls_connections_total{outcome="accepted"}') >= 1, "relay not counted")
    relay.terminate()
    check(relay.wait(20) == 0, f"rsyslogd exited with {relay.returncode}")

    # -- Python clients: the allowed certificate, both framings -------------------------------
    good = client_context(pki, "asa-hq")
    for (scenario, tag), framing in ((OCTETS, "octet"), (LINES, "line")):
        lines = [syslog_line(tag, l) for l in scenario_lines(scenario)]
        tls_send(d.tls_port, good, lines, framing)
        total += len(lines)
        check(d.wait_metric(RECEIVED, total) == total, f"{framing}: lines lost")
    check_diagnoses(t, d, [OCTETS, LINES])

    # -- refused clients: nothing of theirs gets in -------------------------------------------
    for cert, reason in ((None, "no_client_cert"), ("asa-stranger", "not_allowed"),
                         ("foreign", "bad_certificate")):
        before = d.metric(failures(reason))
        refused_attempt(d.tls_port, client_context(pki, cert))
        d.wait_metric(failures(reason), before + 1)
        t.step(f"client {cert or '(no certificate)'}: refused, {failures(reason)}")
    check(d.metric(RECEIVED) == total, f"lines of a refused client got in: {d.metric(RECEIVED)}")
    check(d.metric('tls_connections_total{outcome="refused_client"}') == 3,
          "refused clients not counted as such")

    # -- not TLS at all, and no handshake ------------------------------------------------------
    with socket.create_connection(("127.0.0.1", d.tls_port), timeout=10) as s:
        s.sendall(b"<166>Dec 19 15:49:51 fw : %ASA-5-713119: Group = g, IP = 192.0.2.1, "
                  b"PHASE 1 COMPLETED\n")
        s.shutdown(socket.SHUT_WR)
        d.wait_metric(failures("protocol"), 1)
    with socket.create_connection(("127.0.0.1", d.tls_port), timeout=10) as s:
        d.wait_metric(failures("timeout"), 1)  # handshake_timeout: 2s
    check(d.metric(RECEIVED) == total, "plain text on the TLS port was read as syslog")
    check(not [a for a in d.alerts() if a["observer"]["hostname"] == REFUSED[1]],
          "a refused client's lines raised an alert")
    check(d.metric("tls_connections_open") == 0, "connections left open")
    t.step("plain text and a silent connection: counted, daemon fine")

    # -- SIGHUP: a renewed certificate, then a broken one --------------------------------------
    first = pem_fingerprint(pki.path("server.pem"))
    check(served_fingerprint(d.tls_port, pki) == first, "not the configured certificate")
    shutil.copy(pki.path("renewed.pem"), live_cert)
    shutil.copy(pki.path("renewed.key"), live_key)
    d.signal(signal.SIGHUP)
    d.wait_metric('reloads_total{result="ok"}', 1)
    renewed = pem_fingerprint(pki.path("renewed.pem"))
    check(served_fingerprint(d.tls_port, pki) == renewed, "SIGHUP: still the old certificate")
    t.step("SIGHUP: new connections get the renewed certificate")
    with open(live_cert, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
    d.signal(signal.SIGHUP)
    d.wait_metric('reloads_total{result="failed"}', 1)
    check("tls.cert" in d.stderr(), "the broken certificate was not reported")
    check(served_fingerprint(d.tls_port, pki) == renewed, "a broken certificate was taken")
    check(d.alive(), "daemon gone after a broken certificate")
    t.step("SIGHUP with a broken certificate: refused, the renewed one kept")


run(main)
